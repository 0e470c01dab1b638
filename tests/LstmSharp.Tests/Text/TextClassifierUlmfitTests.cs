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
            Ensemble = 1,
            Units = 6, EmbeddingSize = 6, MaxLength = 10, Epochs = 25, BatchSize = 16, LearningRate = 0.01f, Dropout = 0f, Patience = 0, Seed = 5,
            Pooling = TextPooling.Concat, Layers = 2, HeadDropout = 0.1f,
        };
        var classifier = TextClassifier.Train(texts[..120], labels[..120], options);
        Assert.Equal(1.0, classifier.Evaluate(texts[120..], labels[120..]).Accuracy);
        Assert.Equal(2, classifier.Model.Layers.OfType<Bidirectional>().Count());
        Assert.Single(classifier.Model.Layers.OfType<GlobalMaxPooling1D>());
        Assert.Single(classifier.Model.Layers.OfType<GlobalAveragePooling1D>());
        Assert.Equal([25], classifier.KeptEpochs);
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
            Ensemble = 1, HeadDropout = 0f,
            Units = 4, EmbeddingSize = 4, MaxLength = 10, Epochs = 12, LearningRate = 0.05f, Patience = 2, ValidationFraction = 0.25f, Seed = 2,
        });
        var valLoss = classifier.Histories.Single()["val_loss"].ToList();
        Assert.Equal([valLoss.IndexOf(valLoss.Min()) + 1], classifier.KeptEpochs);
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
            Ensemble = 1, HeadDropout = 0f,
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
            Ensemble = 1, HeadDropout = 0f,
            MaxLength = 10, Epochs = 2, Patience = 0, ValidationFraction = 0.2f, LanguageModelEpochs = 3, Seed = 42,
        }, pretrained: lm);
        Assert.NotEqual(before, Weights(lm.Model));
        Assert.True(lm.Evaluate(scored) < lossBefore, "fine-tuning on the task's texts lowers the language model's loss on them");
        Assert.Equal(2, classifier.Histories.Single().Epochs);
    }

    [Fact]
    public void AwdDropouts_ReachTheLayers_OfTheLanguageModelAndTheClassifier()
    {
        var (texts, labels) = Texts(40, 7);
        var lm = LanguageModel.Create(string.Join("\n", texts), new LanguageModelOptions { Level = TokenLevel.Word, Units = 4, EmbeddingSize = 3, WeightDropout = 0.5f, EmbeddingDropout = 0.1f });
        Assert.All(lm.Model.Layers.OfType<Lstm>(), l => Assert.Equal(0.5f, l.Options.WeightDropout));
        Assert.Equal(0.1f, lm.Model.Layers.OfType<Embedding>().Single().Dropout);
        var options = new TextClassifierOptions { Ensemble = 1, HeadDropout = 0f, MaxLength = 10, Epochs = 1, Patience = 0, ValidationFraction = 0f, LanguageModelEpochs = 0, WeightDropout = 0.3f, EmbeddingDropout = 0.2f };
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

    /// <summary>Records the optimizer's learning rate after every batch and every layer's weights after every epoch.</summary>
    sealed class Recorder : LstmSharp.Callbacks.Callback
    {
        public List<float> Rates { get; } = [];
        public List<Dictionary<string, float[]>> Weights { get; } = [];

        public override void OnTrainBegin(Model model) => Weights.Add(Snapshot(model));
        public override void OnBatchEnd(Model model, int batch, float loss) => Rates.Add(model.Optimizer!.LearningRate);
        public override void OnEpochEnd(Model model, int epoch, IReadOnlyDictionary<string, float> logs) => Weights.Add(Snapshot(model));

        static Dictionary<string, float[]> Snapshot(Model model)
            => model.Layers.Where(l => l.Parameters.Count > 0).ToDictionary(l => l.Name, l => l.Parameters.SelectMany(p => p.Value.ToArray()).ToArray());
    }

    [Fact]
    public void SlantedTriangular_RunsOverEveryStepOfTheEpochs()
    {
        var (texts, labels) = Texts(40, 8);
        var recorder = new Recorder();
        // 40 texts in batches of 8 for 5 epochs: T = 25 steps, cut = ⌊2.5⌋ = 2, the fall lasts cut·(1/0.1 − 1) = 18 steps.
        TextClassifier.Train(texts, labels, new TextClassifierOptions
        {
            Ensemble = 1, HeadDropout = 0f,
            Units = 3, EmbeddingSize = 3, MaxLength = 10, Epochs = 5, BatchSize = 8, LearningRate = 0.032f, Patience = 0, ValidationFraction = 0f,
            Schedule = TextSchedule.SlantedTriangular,
        }, callbacks: [recorder]);
        Assert.Equal(25, recorder.Rates.Count);
        Assert.Equal(0.001f, recorder.Rates[0], 1e-7f);                      // η_max / ratio
        Assert.Equal(0.0165f, recorder.Rates[1], 1e-7f);                     // p = 1/2: η_max (1 + 31/2) / 32
        Assert.Equal(0.032f, recorder.Rates[2], 1e-7f);                      // the peak at step cut
        Assert.Equal(0.032f * (1 + 0.5f * 31) / 32, recorder.Rates[11], 1e-7f); // p = 1 − 9/18
        Assert.Equal(0.001f, recorder.Rates[20], 1e-7f);                     // p = 0 from step 20 on
        Assert.Equal(0.001f, recorder.Rates[24], 1e-7f);
    }

    [Fact]
    public void DiscriminativeRates_AndGradualUnfreezing_FollowTheLayerGroupsFromTheTop()
    {
        var (texts, labels) = Texts(40, 9);
        var lm = SmallLanguageModel(texts);
        var recorder = new Recorder();
        var classifier = TextClassifier.Train(texts, labels, new TextClassifierOptions
        {
            Ensemble = 1, HeadDropout = 0f,
            MaxLength = 10, Epochs = 4, BatchSize = 8, Patience = 0, ValidationFraction = 0f, LanguageModelEpochs = 0, Pooling = TextPooling.Concat, Dropout = 0f,
            DiscriminativeFactor = 2f, GradualUnfreezing = true,
        }, callbacks: [recorder], pretrained: lm);
        // Groups, input to output: the embedding, lstm_1, lstm_2, the head (the pooling layers have no weights).
        string[] groups = ["embedding", "lstm_1", "lstm_2", "logits"];
        Assert.Equal([0.125f, 0.25f, 0.5f, 1f], groups.Select(g => classifier.Model.Layers.Single(l => l.Name == g).LearningRateMultiplier));
        for (var epoch = 1; epoch <= 4; epoch++)
        {
            for (var g = 0; g < groups.Length; g++)
            {
                var moved = !recorder.Weights[epoch - 1][groups[g]].SequenceEqual(recorder.Weights[epoch][groups[g]]);
                Assert.True(moved == g >= groups.Length - epoch, $"epoch {epoch}: {groups[g]} {(moved ? "moved" : "stayed")}");
            }
        }
        Assert.All(classifier.Model.Layers, l => Assert.True(l.Trainable));   // every group trainable again after training
    }

    [Fact]
    public void Ensemble_AveragesTheLogitsOfItsMembers_AndSavesExplainsAsOneModel()
    {
        var (texts, labels) = Texts(60, 10);
        var options = new TextClassifierOptions { Units = 4, EmbeddingSize = 4, MaxLength = 10, Epochs = 3, BatchSize = 16, LearningRate = 0.02f, Patience = 2, ValidationFraction = 0.2f, Seed = 3, Ensemble = 3 };
        var ensemble = TextClassifier.Train(texts, labels, options);
        var members = Enumerable.Range(0, 3).Select(m => TextClassifier.TrainMember(texts, labels, options, m)).ToArray();
        Assert.Equal(3, ensemble.KeptEpochs.Count);
        Assert.Equal(members.SelectMany(m => m.KeptEpochs), ensemble.KeptEpochs);
        // Member 0 is the single network of the same options; the others start elsewhere.
        var single = TextClassifier.Train(texts, labels, options with { Ensemble = 1 });
        Assert.Equal(single.PredictProbabilities(texts), members[0].PredictProbabilities(texts));
        Assert.NotEqual(members[0].PredictProbabilities(texts), members[1].PredictProbabilities(texts));

        // softmax(mean of the members' logits) = the normalised geometric mean of their probabilities.
        var each = members.Select(m => m.PredictProbabilities(texts)).ToArray();
        var joined = ensemble.PredictProbabilities(texts);
        for (var i = 0; i < texts.Count; i++)
        {
            var geometric = Enumerable.Range(0, 2).Select(c => Math.Exp(each.Average(p => Math.Log(p[i][c])))).ToArray();
            for (var c = 0; c < 2; c++) Assert.Equal(geometric[c] / geometric.Sum(), joined[i][c], 1e-5);
        }

        var path = Path.Combine(_folder, "ensemble.safetensors");
        ensemble.Save(path);
        var loaded = TextClassifier.Load(path);
        Assert.Equal(joined, loaded.PredictProbabilities(texts));
        // Integrated gradients through every member at once: the attributions still add up to the logit's change.
        var explanation = loaded.Explain(texts[0], steps: 200);
        Assert.True(Math.Abs(explanation.Attribution.CompletenessGap) < 1e-3 * Math.Max(1, Math.Abs(explanation.Attribution.Output - explanation.Attribution.BaselineOutput)),
            $"completeness gap {explanation.Attribution.CompletenessGap}");
        var memberMeans = members.Select(m => m.Explain(texts[0], steps: 200).Tokens.Select(t => t.Attribution).ToArray()).ToArray();
        for (var t = 0; t < explanation.Tokens.Count; t++) Assert.Equal(memberMeans.Average(a => a[t]), explanation.Tokens[t].Attribution, 1e-5);

        // Classifiers trained on their own join too (their networks are renamed member_1, member_2).
        var pair = TextClassifier.Join([single, members[1]]);
        Assert.Equal(["member_1", "member_2"], pair.Model.Layers.OfType<Model>().Select(m => m.Name));
        var other = TextClassifier.Train(texts, labels, options with { Ensemble = 1, MaxLength = 8 });
        Assert.Contains("Member 2 reads or labels differently", Assert.Throws<ArgumentException>(() => TextClassifier.Join([members[0], other])).Message);
        Assert.Throws<ArgumentException>(() => TextClassifier.Join([members[0]]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TextClassifier.TrainMember(texts, labels, options, 3));
    }

    [Fact]
    public void BalancedClassWeights_WeighEachClassTheSameInTotal()
    {
        // 30 "pos" and 10 "neg" texts: scikit-learn's balanced weights are 40 / (2·30) and 40 / (2·10).
        var (texts, labels) = Texts(80, 11);
        var rows = Enumerable.Range(0, 80).Where(i => labels[i] == "pos").Take(30).Concat(Enumerable.Range(0, 80).Where(i => labels[i] == "neg").Take(10)).ToArray();
        var (x, y) = (rows.Select(i => texts[i]).ToList(), rows.Select(i => labels[i]).ToList());
        // One batch and a learning rate too small to move the weights: the epoch's loss is the weighted mean at the start.
        var options = new TextClassifierOptions { Ensemble = 1, HeadDropout = 0f, Pooling = TextPooling.Last, Units = 3, EmbeddingSize = 3, MaxLength = 10, Epochs = 1, BatchSize = 64, LearningRate = 1e-9f, Dropout = 0f, Patience = 0, ValidationFraction = 0f, ClassWeight = TextClassWeight.Balanced };
        var classifier = TextClassifier.Train(x, y, options);
        var probabilities = classifier.PredictProbabilities(x);
        var ids = classifier.ClassIds(y);
        double balanced = 0, plain = 0;
        for (var i = 0; i < x.Count; i++)
        {
            var loss = -Math.Log(probabilities[i][ids[i]]) / x.Count;
            (balanced, plain) = (balanced + (y[i] == "pos" ? 40.0 / 60 : 40.0 / 20) * loss, plain + loss);
        }
        Assert.True(Math.Abs(balanced - plain) > 1e-3, $"the weights should matter here: {balanced} vs {plain}");
        Assert.Equal(balanced, classifier.Histories.Single()["loss"][0], 1e-4);
        Assert.Equal(plain, TextClassifier.Train(x, y, options with { ClassWeight = TextClassWeight.None }).Histories.Single()["loss"][0], 1e-4);
    }

    [Theory]
    [InlineData(nameof(TextClassifierOptions.Layers), 0)]
    [InlineData(nameof(TextClassifierOptions.HeadDropout), 1)]
    [InlineData(nameof(TextClassifierOptions.LanguageModelEpochs), -1)]
    [InlineData(nameof(TextClassifierOptions.DiscriminativeFactor), 0.5f)]
    [InlineData(nameof(TextClassifierOptions.Ensemble), 0)]
    public void Options_OutOfRange_NameTheOption(string option, float value)
    {
        var options = option switch
        {
            nameof(TextClassifierOptions.Layers) => new TextClassifierOptions { Layers = (int)value },
            nameof(TextClassifierOptions.HeadDropout) => new TextClassifierOptions { HeadDropout = value },
            nameof(TextClassifierOptions.DiscriminativeFactor) => new TextClassifierOptions { DiscriminativeFactor = value },
            nameof(TextClassifierOptions.Ensemble) => new TextClassifierOptions { Ensemble = (int)value },
            _ => new TextClassifierOptions { LanguageModelEpochs = (int)value },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
    }
}
