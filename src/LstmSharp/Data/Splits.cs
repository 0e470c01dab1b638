// Splits: train/test partitions — stratified by class for classification, chronological for time series.
using LstmSharp.Internals;

namespace LstmSharp.Data;

/// <summary>Partitions of a dataset into training, validation and test parts.</summary>
public static class Splits
{
    /// <summary>
    /// A stratified split: each class puts <c>round(testFraction × count)</c> of its rows (half away from zero) in the
    /// test part, clamped so that a class of two or more rows has at least one row on each side; a class with a single
    /// row goes to training. Which rows go where is a seeded shuffle within each class; both index lists are ascending.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testFraction"/> is not in (0, 1).</exception>
    /// <exception cref="ArgumentException">No labels, a negative label (named by index), or a single class.</exception>
    public static (int[] Train, int[] Test) Stratified(ReadOnlySpan<int> labels, double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, $"'testFraction' must be in (0, 1); received {testFraction}.");
        if (labels.IsEmpty) throw new ArgumentException("Cannot split no labels.", nameof(labels));
        var classes = new SortedDictionary<int, List<int>>();
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0) throw new ArgumentException($"Label {i} is {labels[i]}; class ids must be non-negative.", nameof(labels));
            if (!classes.TryGetValue(labels[i], out var rows)) classes.Add(labels[i], rows = []);
            rows.Add(i);
        }
        if (classes.Count < 2)
            throw new ArgumentException($"A stratified split needs at least two classes; every label is class {labels[0]}.", nameof(labels));
        // One generator over the classes in ascending id order, so a seed fixes the whole split.
        var rng = new Rng(seed);
        var train = new List<int>(labels.Length);
        var test = new List<int>(labels.Length);
        foreach (var rows in classes.Values)
        {
            for (var i = rows.Count - 1; i > 0; i--)
            {
                var j = rng.NextInt(i + 1);
                (rows[i], rows[j]) = (rows[j], rows[i]);
            }
            var testCount = rows.Count < 2 ? 0 : Math.Clamp((int)Math.Round(testFraction * rows.Count, MidpointRounding.AwayFromZero), 1, rows.Count - 1);
            test.AddRange(rows.Take(testCount));
            train.AddRange(rows.Skip(testCount));
        }
        train.Sort();
        test.Sort();
        return ([.. train], [.. test]);
    }

    /// <summary>
    /// The sizes of a time-ordered split of <paramref name="count"/> rows: the last <paramref name="testCount"/> rows
    /// are the test part, and of the rows before them the last <c>round(validationFraction × rest)</c> (at least one
    /// when the fraction is above 0) are the validation part; training is the rows at the start.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="count"/> or <paramref name="testCount"/> is negative, or <paramref name="validationFraction"/> is not in [0, 1).
    /// </exception>
    /// <exception cref="ArgumentException">Too few rows: nothing would be left for training.</exception>
    public static (int Train, int Validation, int Test) Chronological(int count, double validationFraction, int testCount)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, $"'count' must be non-negative; received {count}.");
        if (testCount < 0) throw new ArgumentOutOfRangeException(nameof(testCount), testCount, $"'testCount' must be non-negative; received {testCount}.");
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, $"'validationFraction' must be in [0, 1); received {validationFraction}.");
        var rest = count - testCount;
        var validation = validationFraction == 0 ? 0 : Math.Max(1, (int)Math.Round(validationFraction * Math.Max(rest, 0), MidpointRounding.AwayFromZero));
        var train = rest - validation;
        if (train < 1)
        {
            throw new ArgumentException(
                $"{count} rows are too few: the test part takes {testCount} and validation {validation}, leaving {Math.Max(train, 0)} for training; " +
                $"at least {testCount + validation + 1} rows are needed. Use more data, a smaller test part or less validation.", nameof(count));
        }
        return (train, validation, testCount);
    }
}
