// ModelTasks: the metadata entry that says which task a model file was trained for, so loaders refuse the wrong kind.
using LstmSharp.Forecasting;
using LstmSharp.Text;

namespace LstmSharp.IO;

/// <summary>The <see cref="Model.Metadata"/> key and values naming a model file's task.</summary>
public static class ModelTasks
{
    /// <summary>The metadata key.</summary>
    public const string Key = "lstmsharp.task";

    /// <summary>A <see cref="Forecasting.Forecaster"/>.</summary>
    public const string Forecast = "forecast";

    /// <summary>A <see cref="Text.LanguageModel"/>.</summary>
    public const string Text = "text";

    /// <summary>A <see cref="Text.TextClassifier"/>.</summary>
    public const string Classify = "classify";

    /// <summary>A <see cref="Translation.Translator"/>.</summary>
    public const string Translate = "translate";

    /// <summary>The task of <paramref name="model"/>, or null when it has none (saved by the library directly).</summary>
    public static string? Of(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Metadata.TryGetValue(Key, out var task) ? task : null;
    }

    /// <summary>
    /// The error for a model file of the wrong kind: what it is, what <paramref name="expected"/> (one of the task
    /// values) needed, and the library call that makes one.
    /// </summary>
    internal static InvalidDataException WrongKind(string path, string? found, string expected) => expected switch
    {
        Forecast => Refuse(path, found, "forecaster", $"{nameof(Forecaster)}.{nameof(Forecaster.Train)}"),
        Text => Refuse(path, found, "language model", $"{nameof(LanguageModel)}.{nameof(LanguageModel.Create)} and {nameof(LanguageModel.Train)}"),
        Classify => Refuse(path, found, "text classifier", $"{nameof(TextClassifier)}.{nameof(TextClassifier.Train)}"),
        Translate => Refuse(path, found, "translator", $"{nameof(Translation.Translator)}.{nameof(Translation.Translator.Train)}"),
        _ => throw new ArgumentOutOfRangeException(nameof(expected), expected, $"Expected a task: {Forecast}, {Text}, {Classify} or {Translate}."),
    };

    static InvalidDataException Refuse(string path, string? found, string expected, string howToMakeOne) => new(
        $"{path}: this model file is not a {expected} (it was made {(found is null ? "by the library directly, without a task" : $"for the '{found}' task")}); " +
        $"train one with {howToMakeOne}.");
}
