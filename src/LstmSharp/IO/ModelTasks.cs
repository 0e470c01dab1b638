// ModelTasks: the metadata entry that says which task a model file was trained for, so loaders refuse the wrong kind,
// and the checks the text tasks' loaders share (tokenizer, Embedding).
using LstmSharp.Data;
using LstmSharp.Forecasting;
using LstmSharp.Layers;
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

    /// <summary>A <see cref="Tagging.Tagger"/>.</summary>
    public const string Tag = "tag";

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
        Tag => Refuse(path, found, "tagger", $"{nameof(Tagging.Tagger)}.{nameof(Tagging.Tagger.Train)}"),
        _ => throw new ArgumentOutOfRangeException(nameof(expected), expected, $"Expected a task: {Forecast}, {Text}, {Classify}, {Translate} or {Tag}."),
    };

    /// <summary>
    /// The error for a network that made a value that is not finite: <paramref name="what"/> it made, and why that
    /// happens; it names the file the model came from (<paramref name="source"/>), or <paramref name="model"/>.
    /// </summary>
    internal static InvalidDataException NotFinite(string? source, string model, string what) => new(
        $"{source ?? model}: {what}; the network's weights are damaged or its training diverged. Retrain it with a lower learning rate.");

    /// <summary>The tokenizer a model file stores, its errors naming the file.</summary>
    internal static Tokenizer ReadTokenizer(string path, string json)
    {
        try
        {
            return Tokenizer.FromJson(json);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{path}: the tokenizer in this model file is damaged: {SafeTensors.Excerpt(e.Message, 400)}", e);
        }
    }

    /// <summary>
    /// Checks that a text model reads ids as <paramref name="inputOk"/> says (<paramref name="expectedInput"/>) through a
    /// first Embedding layer of exactly the tokenizer's vocabulary: a larger tokenizer would feed ids the Embedding has
    /// no row for, a smaller one would leave rows no text reaches.
    /// </summary>
    internal static void CheckTokenInput(string path, Model model, Tokenizer tokenizer, bool inputOk, string expectedInput)
    {
        if (model.Inputs.Count != 1 || !inputOk)
            throw new InvalidDataException($"{path}: the network's inputs are {string.Join(", ", model.Inputs.Select(i => $"[{string.Join(", ", i.Shape)}]"))}; a text model has one input, {expectedInput}.");
        CheckEmbeddings(path, model, tokenizer);
    }

    /// <summary>The first layer is such an Embedding, or a nested model (an ensemble's members: every nested model of the level) that starts with one.</summary>
    static void CheckEmbeddings(string path, Model model, Tokenizer tokenizer)
    {
        if (model.Layers[0] is Model)
        {
            foreach (var member in model.Layers.OfType<Model>()) CheckEmbeddings(path, member, tokenizer);
            return;
        }
        if (model.Layers[0] is not Embedding embedding)
            throw new InvalidDataException($"{path}: the network's first layer is a {model.Layers[0].GetType().Name}; a text model starts with an Embedding.");
        if (embedding.VocabularySize != tokenizer.VocabularySize)
            throw new InvalidDataException($"{path}: the tokenizer has {tokenizer.VocabularySize} ids but the Embedding '{embedding.Name}' has {embedding.VocabularySize} rows; they must be equal.");
    }

    static InvalidDataException Refuse(string path, string? found, string expected, string howToMakeOne) => new(
        $"{path}: this model file is not a {expected} (it was made {(found is null ? "by the library directly, without a task" : $"for the '{found}' task")}); " +
        $"train one with {howToMakeOne}.");
}
