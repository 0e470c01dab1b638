// ClassificationReportTests: scikit-learn's documented example, a hand-computed case with zero divisions, and errors.
using LstmSharp.Metrics;
using Xunit;

namespace LstmSharp.Tests.Metrics;

public sealed class ClassificationReportTests
{
    [Fact]
    public void Compute_MatchesScikitLearnDocumentationExample()
    {
        // sklearn.metrics.classification_report docs: y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1].
        var report = ClassificationReport.Compute([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], 3);
        Assert.Equal([0.50, 0.00, 1.00], report.Precision.Select(v => Math.Round(v, 2)));
        Assert.Equal([1.00, 0.00, 0.67], report.Recall.Select(v => Math.Round(v, 2)));
        Assert.Equal([0.67, 0.00, 0.80], report.F1.Select(v => Math.Round(v, 2)));
        Assert.Equal([1, 1, 3], report.Support);
        Assert.Equal(0.60, report.Accuracy, 12);
        Assert.Equal(0.49, Math.Round(report.MacroF1, 2));
        Assert.Equal(0.61, Math.Round(report.WeightedF1, 2));
        // The docs' macro avg row: precision 0.50, recall 0.56.
        Assert.Equal(0.50, Math.Round(report.MacroPrecision, 2));
        Assert.Equal(0.56, Math.Round(report.MacroRecall, 2));
    }

    [Fact]
    public void Compute_HandComputed_WithAClassNeverActual()
    {
        // actual    [0, 0, 1, 1, 1, 2, 2]
        // predicted [0, 1, 1, 1, 2, 2, 3]
        // Confusion rows (actual): 0 → [1 1 0 0], 1 → [0 2 1 0], 2 → [0 0 1 1], 3 → [0 0 0 0].
        // Predicted per class 1, 3, 2, 1; support 2, 3, 2, 0.
        // Precision 1, 2/3, 1/2, 0;  recall 1/2, 2/3, 1/2, 0 (no rows: 0/0 → 0);  F1 2/3, 2/3, 1/2, 0.
        // Accuracy 4/7; macro F1 over the four present classes (3 is predicted) = (2/3 + 2/3 + 1/2 + 0) / 4 = 11/24;
        // weighted F1 = (2·2/3 + 3·2/3 + 2·1/2 + 0) / 7 = 13/21.
        var report = ClassificationReport.Compute([0, 0, 1, 1, 1, 2, 2], [0, 1, 1, 1, 2, 2, 3], 4);
        Assert.Equal(new int[,] { { 1, 1, 0, 0 }, { 0, 2, 1, 0 }, { 0, 0, 1, 1 }, { 0, 0, 0, 0 } }, report.Confusion);
        AssertClose([1, 2.0 / 3, 0.5, 0], report.Precision);
        AssertClose([0.5, 2.0 / 3, 0.5, 0], report.Recall);
        AssertClose([2.0 / 3, 2.0 / 3, 0.5, 0], report.F1);
        Assert.Equal([2, 3, 2, 0], report.Support);
        Assert.Equal(4.0 / 7, report.Accuracy, 12);
        Assert.Equal(11.0 / 24, report.MacroF1, 12);
        Assert.Equal(13.0 / 21, report.WeightedF1, 12);
        Assert.Equal(13.0 / 24, report.MacroPrecision, 12);
        Assert.Equal(5.0 / 12, report.MacroRecall, 12);
        Assert.Equal(4, report.ClassCount);
        Assert.Equal(7, report.Count);

        // A fifth class absent from both sides does not enter the macro average.
        var wider = ClassificationReport.Compute([0, 0, 1, 1, 1, 2, 2], [0, 1, 1, 1, 2, 2, 3], 5);
        Assert.Equal(11.0 / 24, wider.MacroF1, 12);
        Assert.Equal(13.0 / 21, wider.WeightedF1, 12);
        Assert.Equal(0, wider.F1[4]);
    }

    [Fact]
    public void Compute_PerfectPredictions_ScoreOne()
    {
        var report = ClassificationReport.Compute([2, 0, 1, 1], [2, 0, 1, 1], 3);
        Assert.Equal([1.0, 1.0, 1.0], report.F1);
        Assert.Equal(1.0, report.Accuracy);
        Assert.Equal(1.0, report.MacroF1);
    }

    [Fact]
    public void Compute_RejectsOutOfRangeIdsAndMismatchedLengths()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationReport.Compute([0, 1, 3], [0, 1, 1], 3));
        Assert.Contains("Actual id 2 is 3", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationReport.Compute([0, 1, 1], [0, -1, 1], 3));
        Assert.Contains("Predicted id 1 is -1", e.Message, StringComparison.Ordinal);
        var m = Assert.Throws<ArgumentException>(() => ClassificationReport.Compute([0, 1], [0], 2));
        Assert.Contains("2 actual and 1 predicted", m.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ClassificationReport.Compute([], [], 2));
    }

    static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 12);
    }
}
