// TextClassifier's ULMFiT parts: concat pooling and stacked layers learn and survive model files, and a classifier
// started from a language model reads with its tokenizer and starts from its embedding and LSTM weights (the
// language model fine-tuned on the task's texts first, when asked).
using LstmSharp.Data;
using LstmSharp.Layers;
using LstmSharp.Text;
using Xunit;

namespace LstmSharp.Tests.Text;

public sealed class TextClassifierUlmfitTests : IDisposable
{
    static readonly string[] Positive = ["good", "great", "fine", "happy", "nice", "bright"];
    static readonly string[] Negative = ["bad", "awful", "poor", "sad", "ugly", "dark"];
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-ulmfit-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static (List<string> Texts, List<string> Labels) Texts(int count, int seed)
    {
        var rng = new Random(seed);
        var (texts, labels) = (new List<string>(), new List<string>());
        for (var i = 0; i < count; i++)
        {
            var positive = i % 2 == 0;
            var words = positive ? Positive : Negative;
            // The class word sits among filler words at a random place: the last state alone has to remember it.
            var filler = Enumerable.Range(0, rng.Next(3, 7)).Select(_ => rng.Next(2) == 0 ? "the" : "and").ToList();
            filler.Insert(rng.Next(filler.Count + 1), words[rng.Next(words.Length)]);
            texts.Add(string.Join(' ', filler));
            labels.Add(positive ? "pos" : "neg");
        }
        return (texts, labels);
    }

    [Fact]
    public void ConcatPooling_TwoLayers_LearnsAndRoundTrips()
    {
        var (texts, labels) = Texts(140, 3);
        var options = new TextClassifierOptions
        {
            Units = 6, EmbeddingSize = 6, MaxLength = 10, Epochs = 25, BatchSize = 16, LearningRate = 0.01f, Dropout = 0f, Patience = 0, Seed = 5,
            Pooling = TextPooling.Concat, Layers = 2, HeadDropout = 0.1f,
        };
        var classifier = TextClassifier.Train(texts[..120], labels[..120], options);
        Assert.Equal(1.0, classifier.Evaluate(texts[120..], labels[120..]).Accuracy);
        Assert.Equal(2, classifier.Model.Layers.OfType<Bidirectional>().Count());
        Assert.Single(classifier.Model.Layers.OfType<GlobalMaxPooling1D>());
        Assert.Single(classifier.Model.Layers.OfType<GlobalAveragePooling1D>());
        Assert.Equal(25, classifier.KeptEpoch);
        var path = Path.Combine(_folder, "concat.safetensors");
        classifier.Save(path);
        var loaded = TextClassifier.Load(path);
        Assert.Equal(classifier.PredictProbabilities(texts[120..]), loaded.PredictProbabilities(texts[120..]));
    }

    [Fact]
    public void KeptEpoch_IsEarlyStoppingsBest()
    {
        var (texts, labels) = Texts(80, 4);
        var classifier = TextClassifier.Train(texts, labels, new TextClassifierOptions
        {
            Units = 4, EmbeddingSize = 4, MaxLength = 10, Epochs = 12, LearningRate = 0.05f, Patience = 2, ValidationFraction = 0.25f, Seed = 2,
        });
        var valLoss = classifier.History!["val_loss"].ToList();
        Assert.Equal(valLoss.IndexOf(valLoss.Min()) + 1, classifier.KeptEpoch);
    }

    static LanguageModel SmallLanguageModel(IEnumerable<string> texts)
    {
        var text = string.Join("\n", texts);
        var lm = LanguageModel.Create(text, new LanguageModelOptions { Level = TokenLevel.Word, Lowercase = true, EmbeddingSize = 5, Units = 6, Layers = 2, Steps = 8, BatchSize = 4, Seed = 9 });
        lm.Train(new TextBatches(lm.Encode(text), 4, 8), new TextBatches(lm.Encode(text), 4, 8), new LanguageModelTraining { Epochs = 2 });
        return lm;
    }

    static float[][] Weights(Model model) => [.. model.Layers.Where(l => l is Embedding or Lstm).SelectMany(l => l.Parameters).Select(p => p.Value.ToArray())];

    [Fact]
    public void Pretrained_StartsFromTheLanguageModelsTokensAndWeights()
    {
        var (texts, labels) = Texts(60, 5);
        var lm = SmallLanguageModel(texts);
        var before = Weights(lm.Model);
        // A learning rate too small to move a weight by 1e-6: the classifier's encoder is the language model's.
        var classifier = TextClassifier.Train(texts, labels, new TextClassifierOptions
        {
            MaxLength = 10, Epochs = 1, LearningRate = 1e-9f, Patience = 0, ValidationFraction = 0f, LanguageModelEpochs = 0, Pooling = TextPooling.Concat,
            Units = 99, EmbeddingSize = 99, Layers = 1, Bidirectional = true,
        }, pretrained: lm);
        Assert.Same(lm.Tokenizer, classifier.Tokenizer);
        Assert.Empty(classifier.Model.Layers.OfType<Bidirectional>());
        var lstms = classifier.Model.Layers.OfType<Lstm>().ToArray();
        Assert.Equal(2, lstms.Length);
        Assert.All(lstms, l => Assert.Equal(6, l.Units));
        Assert.All(lstms, l => Assert.False(l.Options.Stateful));
        var after = Weights(classifier.Model);
        Assert.Equal(before.Length, after.Length);
        for (var i = 0; i < before.Length; i++)
            for (var j = 0; j < before[i].Length; j++) Assert.Equal(before[i][j], after[i][j], 1e-6f);
        Assert.Equal(before, Weights(lm.Model));   // LanguageModelEpochs = 0: the language model itself is untouched
    }

    [Fact]
    public void Pretrained_FineTunesTheLanguageModelOnTheTrainingTextsFirst()
    {
        var (texts, labels) = Texts(60, 6);
        var lm = SmallLanguageModel(texts[..10]);
        var before = Weights(lm.Model);
        var (_, validation) = Splits.Stratified([.. labels.Select(l => l == "pos" ? 1 : 0)], 0.2f, 42);
        var scored = new TextBatches(lm.Encode(string.Join("\n", validation.Select(i => texts[i]))), 1, 8);
        var lossBefore = lm.Evaluate(scored);
        var classifier = TextClassifier.Train(texts, labels, new TextClassifierOptions
        {
            MaxLength = 10, Epochs = 2, Patience = 0, ValidationFraction = 0.2f, LanguageModelEpochs = 3, Seed = 42,
        }, pretrained: lm);
        Assert.NotEqual(before, Weights(lm.Model));
        Assert.True(lm.Evaluate(scored) < lossBefore, "fine-tuning on the task's texts lowers the language model's loss on them");
        Assert.Equal(2, classifier.History!.Epochs);
    }

    [Fact]
    public void AwdDropouts_ReachTheLayers_OfTheLanguageModelAndTheClassifier()
    {
        var (texts, labels) = Texts(40, 7);
        var lm = LanguageModel.Create(string.Join("\n", texts), new LanguageModelOptions { Level = TokenLevel.Word, Units = 4, EmbeddingSize = 3, WeightDropout = 0.5f, EmbeddingDropout = 0.1f });
        Assert.All(lm.Model.Layers.OfType<Lstm>(), l => Assert.Equal(0.5f, l.Options.WeightDropout));
        Assert.Equal(0.1f, lm.Model.Layers.OfType<Embedding>().Single().Dropout);
        var options = new TextClassifierOptions { MaxLength = 10, Epochs = 1, Patience = 0, ValidationFraction = 0f, LanguageModelEpochs = 0, WeightDropout = 0.3f, EmbeddingDropout = 0.2f };
        foreach (var classifier in new[] { TextClassifier.Train(texts, labels, options with { Units = 3, EmbeddingSize = 3 }), TextClassifier.Train(texts, labels, options, pretrained: lm) })
        {
            var lstms = classifier.Model.Layers.SelectMany(l => l is Bidirectional b ? new Rnn[] { b.ForwardLayer, b.BackwardLayer } : l is Lstm r ? [r] : []).ToArray();
            Assert.NotEmpty(lstms);
            Assert.All(lstms, l => Assert.Equal(0.3f, l.Options.WeightDropout));
            Assert.Equal(0.2f, classifier.Model.Layers.OfType<Embedding>().Single().Dropout);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextClassifierOptions { WeightDropout = 1f }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LanguageModelOptions { EmbeddingDropout = -0.1f }.Validate());
    }

    [Theory]
    [InlineData(nameof(TextClassifierOptions.Layers), 0)]
    [InlineData(nameof(TextClassifierOptions.HeadDropout), 1)]
    [InlineData(nameof(TextClassifierOptions.LanguageModelEpochs), -1)]
    public void Options_OutOfRange_NameTheOption(string option, float value)
    {
        var options = option switch
        {
            nameof(TextClassifierOptions.Layers) => new TextClassifierOptions { Layers = (int)value },
            nameof(TextClassifierOptions.HeadDropout) => new TextClassifierOptions { HeadDropout = value },
            _ => new TextClassifierOptions { LanguageModelEpochs = (int)value },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
    }
}
