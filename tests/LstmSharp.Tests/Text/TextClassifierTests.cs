// TextClassifier: separable synthetic texts learned perfectly, ordinal classes, probabilities, model files and label errors.
using LstmSharp.Layers;
using LstmSharp.Text;
using Xunit;

namespace LstmSharp.Tests.Text;

/// <summary>A classifier trained once on 100 synthetic texts; 20 more are held out.</summary>
public sealed class SeparableTexts
{
    static readonly string[] Positive = ["good", "great", "fine", "happy", "nice", "bright"];
    static readonly string[] Negative = ["bad", "awful", "poor", "sad", "ugly", "dark"];

    public SeparableTexts()
    {
        // Each text: 3–6 words drawn from its class's set, in random order.
        var rng = new Random(12);
        var texts = new List<string>();
        var labels = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            var positive = i % 2 == 0;
            var words = positive ? Positive : Negative;
            texts.Add(string.Join(' ', Enumerable.Range(0, rng.Next(3, 7)).Select(_ => words[rng.Next(words.Length)])));
            labels.Add(positive ? "pos" : "neg");
        }
        (TrainTexts, TrainLabels, TestTexts, TestLabels) = (texts[..100], labels[..100], texts[100..], labels[100..]);
        Classifier = TextClassifier.Train(TrainTexts, TrainLabels,
            new TextClassifierOptions { Units = 8, EmbeddingSize = 8, MaxLength = 8, Epochs = 20, BatchSize = 16, LearningRate = 0.01f, Dropout = 0f, Patience = 0, Seed = 4 });
    }

    public TextClassifier Classifier { get; }

    public List<string> TrainTexts { get; }

    public List<string> TrainLabels { get; }

    public List<string> TestTexts { get; }

    public List<string> TestLabels { get; }
}

public sealed class TextClassifierTests : IClassFixture<SeparableTexts>, IDisposable
{
    readonly SeparableTexts _data;
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-classify-").FullName;

    public TextClassifierTests(SeparableTexts data) => _data = data;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Train_SeparableTexts_HeldOutAccuracyOne()
    {
        var report = _data.Classifier.Evaluate(_data.TestTexts, _data.TestLabels);
        Assert.Equal(20, report.Count);
        Assert.Equal(1.0, report.Accuracy);
        // Held-out texts are new word orders: at least some of them were never seen in training.
        Assert.NotEmpty(_data.TestTexts.Except(_data.TrainTexts));
        Assert.Equal(["neg", "pos"], _data.Classifier.Classes);
    }

    [Fact]
    public void Train_Classes_SortedOrdinally()
    {
        // Ordinal order puts upper case before lower case: "Zed" < "apple" < "zed".
        var classifier = TextClassifier.Train(["one", "two", "three", "four", "five", "six"], ["zed", "apple", "Zed", "zed", "apple", "Zed"],
            new TextClassifierOptions { Units = 2, EmbeddingSize = 2, MaxLength = 4, Epochs = 1, ValidationFraction = 0f });
        Assert.Equal(["Zed", "apple", "zed"], classifier.Classes);
        Assert.Equal(3, classifier.Model.OutputShape[^1]);
    }

    [Fact]
    public void PredictProbabilities_RowsSumToOne_EmptyTextIncluded()
    {
        string[] texts = [.. _data.TestTexts, "", "!!! ...", "unknown words only", "good bad"];
        var probabilities = _data.Classifier.PredictProbabilities(texts);
        Assert.Equal(texts.Length, probabilities.Length);
        foreach (var row in probabilities)
        {
            Assert.Equal(2, row.Length);
            Assert.All(row, p => Assert.True(p is >= 0f and <= 1f && float.IsFinite(p), $"probability {p}"));
            Assert.True(Math.Abs(row.Sum() - 1) <= 1e-5, $"row sums to {row.Sum():R}");
        }
        // Predict is the most probable class of each row.
        var predicted = _data.Classifier.Predict(texts);
        for (var i = 0; i < texts.Length; i++) Assert.Equal(probabilities[i][1] > probabilities[i][0] ? 1 : 0, predicted[i]);
        Assert.Empty(_data.Classifier.PredictProbabilities([]));
    }

    [Fact]
    public void SaveLoad_RoundTrip_IdenticalProbabilities()
    {
        var path = Path.Combine(_folder, "classifier.safetensors");
        _data.Classifier.Save(path);
        var loaded = TextClassifier.Load(path);
        Assert.Equal(_data.Classifier.Classes, loaded.Classes);
        Assert.Equal(_data.Classifier.MaxLength, loaded.MaxLength);
        Assert.Equal(_data.Classifier.Tokenizer.Vocabulary, loaded.Tokenizer.Vocabulary);
        string[] texts = [.. _data.TestTexts, ""];
        var before = _data.Classifier.PredictProbabilities(texts);
        var after = loaded.PredictProbabilities(texts);
        for (var i = 0; i < texts.Length; i++)
            Assert.Equal(before[i].Select(BitConverter.SingleToInt32Bits), after[i].Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void SaveLoad_TrainingData_RoundTripsUnderTheToolsKeys()
    {
        var path = Path.Combine(_folder, "training-data.safetensors");
        _data.Classifier.Save(path);
        var classifier = TextClassifier.Load(path);
        Assert.Null(classifier.TrainingData);
        classifier.TrainingData = new TextClassifierTrainingData { TextColumns = ["title", "body"], LabelColumn = "topic" };
        classifier.Save(path);
        var data = TextClassifier.Load(path).TrainingData!;
        Assert.Equal(["title", "body"], data.TextColumns);
        Assert.Equal("topic", data.LabelColumn);
        // The entries `lstm` wrote itself before the library owned them, unchanged.
        var metadata = Model.Load(path).Metadata;
        Assert.Equal("title,body", metadata["lstmsharp.classify.text_columns"]);
        Assert.Equal("topic", metadata["lstmsharp.classify.label_column"]);

        classifier.TrainingData = null;
        classifier.Save(path);
        Assert.Null(TextClassifier.Load(path).TrainingData);
        Assert.DoesNotContain("lstmsharp.classify.text_columns", Model.Load(path).Metadata.Keys);
    }

    [Theory]
    // As `lstm classify train` wrote them itself; an entry alone, or empty, records nothing.
    [InlineData("review", "sentiment", "review", "sentiment")]
    [InlineData("title,body", "label", "title,body", "label")]
    [InlineData("review", null, null, null)]
    [InlineData("", "label", null, null)]
    public void Load_EntriesTheToolWrote_SameTrainingData(string? text, string? label, string? expectedText, string? expectedLabel)
    {
        var path = Path.Combine(_folder, "old-keys.safetensors");
        _data.Classifier.Save(path);
        var model = Model.Load(path);
        if (text is not null) model.Metadata["lstmsharp.classify.text_columns"] = text;
        if (label is not null) model.Metadata["lstmsharp.classify.label_column"] = label;
        model.Save(path);
        var data = TextClassifier.Load(path).TrainingData;
        Assert.Equal(expectedText, data is null ? null : string.Join(",", data.TextColumns));
        Assert.Equal(expectedLabel, data?.LabelColumn);
    }

    [Theory]
    [InlineData(new string[0], "label")]
    [InlineData(new[] { "a,b" }, "label")]
    [InlineData(new[] { "" }, "label")]
    [InlineData(new[] { "text" }, "")]
    public void TrainingData_UnwritableColumns_ArgumentOutOfRange(string[] text, string label)
    {
        var classifier = TextClassifier.Train(["good day", "bad day"], ["pos", "neg"],
            new TextClassifierOptions { Units = 2, EmbeddingSize = 2, MaxLength = 4, Epochs = 1, ValidationFraction = 0f });
        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.TrainingData = new TextClassifierTrainingData { TextColumns = text, LabelColumn = label });
        Assert.Null(classifier.TrainingData);
    }

    [Fact]
    public void Load_PlainSequentialFile_InvalidData()
    {
        var path = Path.Combine(_folder, "plain.safetensors");
        new Sequential(new Input(4), new Embedding(5, 2), new Lstm(2), new Dense(2)).Save(path);
        var e = Assert.Throws<InvalidDataException>(() => TextClassifier.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a text classifier", e.Message, StringComparison.Ordinal);
        Assert.Contains("train one with TextClassifier.Train.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_SingleClass_ArgumentAtLeastTwoClasses()
    {
        var e = Assert.Throws<ArgumentException>(() => TextClassifier.Train(["a b", "c d", "e f"], ["only", "only", "only"], new TextClassifierOptions { Epochs = 1 }));
        Assert.Contains("at least two classes", e.Message, StringComparison.Ordinal);
        Assert.Contains("'only'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnknownLabel_ArgumentNamesLabelAndRow()
    {
        var e = Assert.Throws<ArgumentException>(() => _data.Classifier.Evaluate(["good", "bad", "fine"], ["pos", "neg", "maybe"]));
        Assert.Contains("'maybe'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Row 3", e.Message, StringComparison.Ordinal);
    }
}
