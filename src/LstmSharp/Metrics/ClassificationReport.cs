// ClassificationReport: confusion matrix and per-class precision, recall and F1 of a classifier, as scikit-learn's
// classification_report (zero divisions count as 0).
namespace LstmSharp.Metrics;

/// <summary>
/// Per-class and averaged scores of predicted class ids against actual ones. A ratio whose denominator is 0 — the
/// precision of a class never predicted, the recall of a class with no rows — is 0, as scikit-learn's default
/// <c>zero_division</c>. Macro averages run over the classes that occur in the actual or the predicted ids (as
/// scikit-learn when no label list is given), so a class absent from both does not drag them down; weighted averages
/// weight each class by its support.
/// </summary>
public sealed class ClassificationReport
{
    ClassificationReport(int[,] confusion, double[] precision, double[] recall, double[] f1, int[] support, int count)
    {
        Confusion = confusion;
        Precision = precision;
        Recall = recall;
        F1 = f1;
        Support = support;
        Count = count;
        var present = Enumerable.Range(0, ClassCount).Where(c => support[c] > 0 || Predicted(c) > 0).ToArray();
        var correct = 0;
        for (var c = 0; c < ClassCount; c++) correct += confusion[c, c];
        Accuracy = (double)correct / count;
        MacroPrecision = present.Average(c => precision[c]);
        MacroRecall = present.Average(c => recall[c]);
        MacroF1 = present.Average(c => f1[c]);
        WeightedF1 = Enumerable.Range(0, ClassCount).Sum(c => f1[c] * support[c]) / count;
    }

    /// <summary>Counts <c>[actual, predicted]</c>: row c holds where the rows of class c went.</summary>
    public int[,] Confusion { get; }

    /// <summary>Per class: correct predictions of the class over all predictions of it.</summary>
    public double[] Precision { get; }

    /// <summary>Per class: correct predictions of the class over its actual rows.</summary>
    public double[] Recall { get; }

    /// <summary>Per class: the harmonic mean of precision and recall, 2PR / (P + R).</summary>
    public double[] F1 { get; }

    /// <summary>Per class: the number of actual rows.</summary>
    public int[] Support { get; }

    /// <summary>The number of classes.</summary>
    public int ClassCount => Support.Length;

    /// <summary>The number of rows.</summary>
    public int Count { get; }

    /// <summary>The share of rows predicted correctly.</summary>
    public double Accuracy { get; }

    /// <summary>The unweighted mean of <see cref="Precision"/> over the classes present.</summary>
    public double MacroPrecision { get; }

    /// <summary>The unweighted mean of <see cref="Recall"/> over the classes present.</summary>
    public double MacroRecall { get; }

    /// <summary>The unweighted mean of <see cref="F1"/> over the classes present.</summary>
    public double MacroF1 { get; }

    /// <summary>The mean of <see cref="F1"/> weighted by <see cref="Support"/>.</summary>
    public double WeightedF1 { get; }

    /// <summary>Scores <paramref name="predicted"/> against <paramref name="actual"/>, class ids in [0, <paramref name="classCount"/>).</summary>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 1, or an id is outside [0, classCount) (the message names its index).</exception>
    public static ClassificationReport Compute(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"'classCount' must be at least 1; received {classCount}.");
        if (actual.Length != predicted.Length || actual.IsEmpty)
            throw new ArgumentException($"Expected equally many, at least one, actual and predicted ids; received {actual.Length} actual and {predicted.Length} predicted.", nameof(predicted));
        var confusion = new int[classCount, classCount];
        for (var i = 0; i < actual.Length; i++)
        {
            if ((uint)actual[i] >= (uint)classCount)
                throw new ArgumentOutOfRangeException(nameof(actual), actual[i], $"Actual id {i} is {actual[i]}; class ids must be in [0, {classCount - 1}].");
            if ((uint)predicted[i] >= (uint)classCount)
                throw new ArgumentOutOfRangeException(nameof(predicted), predicted[i], $"Predicted id {i} is {predicted[i]}; class ids must be in [0, {classCount - 1}].");
            confusion[actual[i], predicted[i]]++;
        }
        var precision = new double[classCount];
        var recall = new double[classCount];
        var f1 = new double[classCount];
        var support = new int[classCount];
        for (var c = 0; c < classCount; c++)
        {
            int predictedAsC = 0;
            for (var k = 0; k < classCount; k++)
            {
                support[c] += confusion[c, k];
                predictedAsC += confusion[k, c];
            }
            var tp = confusion[c, c];
            precision[c] = predictedAsC == 0 ? 0 : (double)tp / predictedAsC;
            recall[c] = support[c] == 0 ? 0 : (double)tp / support[c];
            f1[c] = precision[c] + recall[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
        }
        return new ClassificationReport(confusion, precision, recall, f1, support, actual.Length);
    }

    int Predicted(int c)
    {
        var n = 0;
        for (var k = 0; k < ClassCount; k++) n += Confusion[k, c];
        return n;
    }
}
