// TextClassifierTrainingData: which columns of a table a classifier was trained on, kept in its model file so that
// evaluating or predicting from another table reads the same ones.
using LstmSharp.Internals;

namespace LstmSharp.Text;

/// <summary>
/// The columns of the table a <see cref="TextClassifier"/> was trained on — not the data itself. It travels in the
/// model file (<see cref="TextClassifier.TrainingData"/>), so that a later evaluation or prediction from a table with
/// the same layout needs no column names.
/// </summary>
public sealed record TextClassifierTrainingData
{
    /// <summary>The column(s) holding the text, in the order they were joined; names without commas.</summary>
    public required IReadOnlyList<string> TextColumns { get; init; }

    /// <summary>The column holding the label.</summary>
    public required string LabelColumn { get; init; }

    /// <summary>Checks every field; the message names the field, the value and what is allowed.</summary>
    public void Validate()
    {
        // The model file keeps the text columns comma-separated, so a name may not hold a comma.
        Guard.Option(TextColumns is { Count: > 0 } && TextColumns.All(c => !string.IsNullOrEmpty(c) && !c.Contains(',', StringComparison.Ordinal)),
            nameof(TextColumns), $"[{string.Join(", ", TextColumns ?? [])}]", "one or more column names, none empty or holding a comma");
        Guard.Option(!string.IsNullOrEmpty(LabelColumn), nameof(LabelColumn), $"'{LabelColumn}'", "a column name");
    }
}
