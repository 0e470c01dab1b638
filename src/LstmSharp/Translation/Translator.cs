// Translator: sequence-to-sequence learning end to end — source and target tokenizers, an encoder (stacked,
// bidirectional) whose final state starts a decoder (an attention decoder, or a plain LSTM), teacher forcing with
// padding masked in the loss, batches of similar lengths, greedy and beam-search translation through an encoder model
// and a one-step decoder model that share the trained layers, and BLEU / chrF / exact match against a copy baseline.
using System.Text.Json;
using LstmSharp.Callbacks;
using LstmSharp.Data;
using LstmSharp.Internals;
using LstmSharp.IO;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;

namespace LstmSharp.Translation;

/// <summary>Translates texts of one kind into another: sentences between languages, spellings into phonemes, sums into results.</summary>
public sealed class Translator
{
    const string SourceKey = "lstmsharp.translate.source_tokenizer";
    const string TargetKey = "lstmsharp.translate.target_tokenizer";
    const string LengthsKey = "lstmsharp.translate.lengths";

    /// <summary>The id fed to the decoder first.</summary>
    public const int StartId = 1;

    /// <summary>The id that ends a translation.</summary>
    public const int EndId = 2;

    // Model target ids: 0 padding, 1 start, 2 end, then the target tokenizer's ids from [UNK] (1) on, shifted by 2.
    const int Shift = 2;

    readonly Model _encoder, _step;
    readonly Model? _weights;
    SequenceDecoder _decoder;
    string? _source;   // the file it was loaded from, for errors about what the network makes

    Translator(Model model, Tokenizer source, Tokenizer target, int maxSourceLength, int maxTargetLength)
    {
        Model = model;
        SourceTokenizer = source;
        TargetTokenizer = target;
        MaxSourceLength = maxSourceLength;
        MaxTargetLength = maxTargetLength;
        (_encoder, _step, _weights) = InferenceModels(model);
        _decoder = Decoder(0);
    }

    SequenceDecoder Decoder(float ratio) => new(_encoder, _step, new SequenceDecoderOptions
    {
        StartId = StartId, EndId = EndId, MaxLength = MaxTargetLength, MaxLengthRatio = ratio, MaxLengthOffset = 10,
    });

    /// <summary>
    /// Output tokens per source token at most (⌈ratio · source tokens⌉ + 10, capped by <see cref="MaxTargetLength"/>),
    /// or 0 for <see cref="MaxTargetLength"/> alone. Default 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or not finite.</exception>
    public float MaxLengthRatio
    {
        get => _decoder.Options.MaxLengthRatio;
        set => _decoder = Decoder(value);
    }

    /// <summary>The training network: <c>[source ids, target ids shifted right] → logits [*, T, V]</c>.</summary>
    public Model Model { get; }

    /// <summary>Source text ↔ ids.</summary>
    public Tokenizer SourceTokenizer { get; }

    /// <summary>Target text ↔ ids (the network's target ids are these shifted by 2, after the start and end ids).</summary>
    public Tokenizer TargetTokenizer { get; }

    /// <summary>Source tokens read; a longer source is cut to its first ones.</summary>
    public int MaxSourceLength { get; }

    /// <summary>Output tokens per translation at most, the end token included.</summary>
    public int MaxTargetLength { get; }

    /// <summary>Whether the decoder attends over the source (and <see cref="AttentionWeights"/> is available).</summary>
    public bool HasAttention => _weights is not null;

    /// <summary>Training logs (null for a loaded translator).</summary>
    public History? History { get; private set; }

    /// <summary>
    /// Trains on the pairs (<paramref name="sources"/>[i], <paramref name="targets"/>[i]): vocabularies fitted on the
    /// training pairs only, validation on <paramref name="validation"/> or else a seeded
    /// <see cref="TranslatorOptions.ValidationFraction"/> of the pairs, early stopping on validation loss with the best
    /// weights kept, and <c>val_bleu</c> and <c>val_exact_match</c> of greedy translations logged every epoch.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length, a side of a pair is empty, or nothing is left to train on.</exception>
    public static Translator Train(IReadOnlyList<string> sources, IReadOnlyList<string> targets, TranslatorOptions options,
        IProgress<FitProgress>? progress = null, IReadOnlyList<Callback>? callbacks = null,
        (IReadOnlyList<string> Sources, IReadOnlyList<string> Targets)? validation = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckPairs(sources, targets, nameof(targets));
        string[] trainSources, trainTargets, validSources, validTargets;
        if (validation is { } given)
        {
            CheckPairs(given.Sources, given.Targets, nameof(validation));
            (trainSources, trainTargets) = ([.. sources], [.. targets]);
            (validSources, validTargets) = ([.. given.Sources], [.. given.Targets]);
        }
        else
        {
            var order = Enumerable.Range(0, sources.Count).ToArray();
            new Rng(options.Seed).Shuffle<int>(order);
            var held = (int)Math.Round(options.ValidationFraction * sources.Count);
            if (held >= sources.Count) held = sources.Count - 1;
            var (v, t) = (order[..held], order[held..]);
            Array.Sort(t);
            (trainSources, trainTargets) = ([.. t.Select(i => sources[i])], [.. t.Select(i => targets[i])]);
            (validSources, validTargets) = ([.. v.Select(i => sources[i])], [.. v.Select(i => targets[i])]);
        }

        var sourceTokenizer = Tokenizer.Fit(trainSources, options.SourceLevel, options.MaxSourceTokens, options.Lowercase);
        var targetTokenizer = Tokenizer.Fit(trainTargets, options.TargetLevel, options.MaxTargetTokens, options.Lowercase);
        var model = Build(options, sourceTokenizer.VocabularySize, targetTokenizer.VocabularySize + Shift);
        var translator = new Translator(model, sourceTokenizer, targetTokenizer, options.MaxSourceLength, options.MaxTargetLength);

        var train = translator.Batches(trainSources, trainTargets, options.BatchSize, shuffleSeed: options.Seed);
        var all = new List<Callback>(callbacks ?? []);
        var fit = new FitOptions { Epochs = options.Epochs, Seed = options.Seed, Progress = progress, Callbacks = all, ThrowOnDivergence = true };
        if (validSources.Length > 0)
        {
            fit = fit with { ValidationBatches = translator.Batches(validSources, validTargets, options.BatchSize, shuffleSeed: null) };
            if (options.Patience > 0) all.Insert(0, new EarlyStopping("val_loss", options.Patience, restoreBestWeights: true));
            if (options.LearningRateDecay > 0f) all.Insert(0, new ReduceLROnPlateau("val_loss", options.LearningRateDecay, patience: 1));
            if (options.BleuSamples > 0)
            {
                var count = Math.Min(options.BleuSamples, validSources.Length);
                var (bleuSources, bleuReferences) = (validSources[..count], validTargets[..count].Select(r => (IReadOnlyList<string>)[r]).ToArray());
                fit = fit with
                {
                    EpochScores = _ =>
                    {
                        string[] hypotheses = [.. bleuSources.Select(s => translator.Translate(s, beamSize: 1))];
                        return new Dictionary<string, float>
                        {
                            ["val_bleu"] = (float)translator.CorpusBleu(hypotheses, bleuReferences),
                            ["val_exact_match"] = (float)translator.TokenScores(hypotheses, bleuReferences).Exact,
                        };
                    },
                };
            }
        }
        translator.History = model.Fit(train, fit);
        return translator;
    }

    /// <summary>
    /// Corpus BLEU: of the 13a tokens (sacreBLEU's default) for words, of the characters for character-level targets
    /// (whose 13a tokens would be whole words, and a one-word output has no 4-grams).
    /// </summary>
    double CorpusBleu(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references) =>
        TargetTokenizer.Level == TokenLevel.Character
            ? Bleu.Corpus<string>([.. hypotheses.Select(h => (IReadOnlyList<string>)[.. TargetTokenizer.Split(h)])],
                [.. references.Select(rs => (IReadOnlyList<IReadOnlyList<string>>)[.. rs.Select(r => (IReadOnlyList<string>)[.. TargetTokenizer.Split(r)])])]).Score
            : Bleu.Corpus(hypotheses, references).Score;

    static void CheckPairs(IReadOnlyList<string> sources, IReadOnlyList<string> targets, string name)
    {
        if (sources.Count != targets.Count)
            throw new ArgumentException($"Expected one target per source; received {sources.Count} sources and {targets.Count} targets.", name);
        if (sources.Count == 0) throw new ArgumentException("There are no sentence pairs to train on.", name);
        for (var i = 0; i < sources.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(sources[i]) || string.IsNullOrWhiteSpace(targets[i]))
                throw new ArgumentException($"Pair {i + 1} has an empty {(string.IsNullOrWhiteSpace(sources[i]) ? "source" : "target")}; every pair needs text on both sides.", name);
        }
    }

    /// <summary>
    /// The training network: Embedding → [Dropout] → encoder layers (the last one's output is the memory, its final
    /// state — both directions concatenated — starts the decoder) and Embedding → [Dropout] → decoder → [Dropout] → Dense logits.
    /// </summary>
    static Model Build(TranslatorOptions o, int sourceVocabulary, int targetVocabulary)
    {
        var source = new Input(-1) { Name = "source" };
        var target = new Input(-1) { Name = "target" };
        Symbol Drop(Symbol x, string name) => o.Dropout > 0f ? new Dropout(o.Dropout, o.Seed, name).Call(x) : x;
        var x = Drop(new Embedding(sourceVocabulary, o.EmbeddingSize, "source_embedding").Call(source), "source_dropout");
        IReadOnlyList<Symbol> states = [];
        for (var l = 1; l <= o.EncoderLayers; l++)
        {
            var lstm = new Lstm(o.Bidirectional ? o.Units / 2 : o.Units, new LstmOptions { ReturnSequences = true, Name = $"encoder_{l}" });
            (x, states) = o.Bidirectional ? new Bidirectional(lstm, MergeMode.Concat, $"encoder_{l}").CallWithState(x) : lstm.CallWithState(x);
        }
        IReadOnlyList<Symbol> initial = o.Bidirectional
            ? [new Concatenate(name: "encoder_h").Call(states[0], states[2]), new Concatenate(name: "encoder_c").Call(states[1], states[3])]
            : [states[0], states[1]];
        var y = Drop(new Embedding(targetVocabulary, o.EmbeddingSize, "target_embedding").Call(target), "target_dropout");
        var decoded = o.Attention
            ? new AttentionLstm(o.Units, new AttentionLstmOptions { Score = o.Score, InputFeeding = o.InputFeeding, ReturnAttentionScores = true, Name = "decoder" })
                .CallWithState(y, x, initial).Output
            : new Lstm(o.Units, new LstmOptions { ReturnSequences = true, Name = "decoder" }).Call(y, initial);
        var logits = new Dense(targetVocabulary, name: "logits").Call(Drop(decoded, "output_dropout"));
        var model = new Model([source, target], [logits], o.Seed, "translator");
        model.Compile(new Adam(o.LearningRate) { GlobalClipNorm = 5f }, new SparseCategoricalCrossentropy(fromLogits: true), new SparseCategoricalAccuracy());
        return model;
    }

    /// <summary>
    /// The encoder model <c>[source] → [h, c(, memory)]</c>, the one-step decoder model <c>[token, h, c(, f), (memory)] → [logits, h, c(, f)]</c>
    /// and, with attention, the weights model <c>[source, target] → weights</c>, all on the training network's layers.
    /// </summary>
    static (Model Encoder, Model Step, Model? Weights) InferenceModels(Model model)
    {
        Layer Find(string name) => model.Layers.FirstOrDefault(l => l.Name == name)
            ?? throw new InvalidDataException($"The translation network has no layer '{name}'.");
        var decoder = Find("decoder");
        var encoderCalls = model.Layers.Where(l => l.Name.StartsWith("encoder_", StringComparison.Ordinal) && l is Rnn or Bidirectional).ToArray();
        if (encoderCalls.Length == 0) throw new InvalidDataException("The translation network has no encoder layer.");
        var encoded = model.OutputsOf(encoderCalls[^1]);
        var bidirectional = encoderCalls[^1] is Bidirectional;
        Symbol h = bidirectional ? model.OutputsOf(Find("encoder_h"))[0] : encoded[1];
        Symbol c = bidirectional ? model.OutputsOf(Find("encoder_c"))[0] : encoded[2];
        var source = model.Inputs[0];
        var embedding = Find("target_embedding");
        var head = Find("logits");
        var token = new Input(1) { Name = "token" };
        var units = h.Shape[0];
        var hIn = new Input(units) { Name = "h" };
        var cIn = new Input(units) { Name = "c" };
        switch (decoder)
        {
            case AttentionLstm attention:
                var memory = new Input(-1, encoded[0].Shape[1]) { Name = "memory" };
                Input[] stateInputs = attention.StateCount == 3 ? [hIn, cIn, new Input(units) { Name = "f" }] : [hIn, cIn];
                var step = attention.CallWithState(embedding.Call(token), memory, stateInputs);
                return (new Model([source], [h, c, encoded[0]], name: "encoder"),
                    new Model([token, .. stateInputs, memory], [head.Call(step.Output), .. step.States], name: "decoder_step"),
                    new Model([.. model.Inputs], [model.OutputsOf(attention)[1]], name: "attention_weights"));
            case Lstm lstm:
                var (output, next) = lstm.CallWithState(embedding.Call(token), [hIn, cIn]);
                return (new Model([source], [h, c], name: "encoder"), new Model([token, hIn, cIn], [head.Call(output), .. next], name: "decoder_step"), null);
            default:
                throw new InvalidDataException($"The translation network's decoder is a {decoder.GetType().Name}; expected an AttentionLstm or an Lstm.");
        }
    }

    /// <summary>The network's ids of a target text: the target tokenizer's, shifted past the start and end ids, cut to leave room for the end.</summary>
    int[] TargetIds(string text)
    {
        var ids = TargetTokenizer.Encode(text);
        var length = Math.Min(ids.Length, MaxTargetLength - 1);
        var shifted = new int[length];
        for (var i = 0; i < length; i++) shifted[i] = ids[i] + Shift;
        return shifted;
    }

    /// <summary>The source ids of <paramref name="text"/>, cut to <see cref="MaxSourceLength"/>.</summary>
    int[] SourceIds(string text)
    {
        var ids = SourceTokenizer.Encode(text);
        return ids.Length > MaxSourceLength ? ids[..MaxSourceLength] : ids;
    }

    /// <summary>Source tokens of <paramref name="text"/> (before the cut at <see cref="MaxSourceLength"/>).</summary>
    public int SourceLength(string text) => SourceTokenizer.Encode(text).Length;

    PairBatches Batches(IReadOnlyList<string> sources, IReadOnlyList<string> targets, int batchSize, int? shuffleSeed)
        => new([.. sources.Select(SourceIds)], [.. targets.Select(TargetIds)], batchSize, shuffleSeed);

    /// <summary>
    /// Translates <paramref name="source"/>: beam search with <paramref name="beamSize"/> beams (1 = greedy) and GNMT's
    /// length penalty α = <paramref name="lengthPenalty"/>. A source longer than <see cref="MaxSourceLength"/> tokens
    /// is cut to its first ones (see <see cref="SourceLength"/> to warn about it).
    /// </summary>
    public string Translate(string source, int beamSize = 5, double lengthPenalty = 0.6)
        => TranslateNBest(source, beamSize, 1, lengthPenalty)[0].Text;

    /// <summary>The <paramref name="nBest"/> best translations of <paramref name="source"/>, best first, with their scores.</summary>
    public IReadOnlyList<TranslatedText> TranslateNBest(string source, int beamSize = 5, int nBest = 5, double lengthPenalty = 0.6)
    {
        ArgumentNullException.ThrowIfNull(source);
        var ids = SourceIds(source);
        if (ids.Length == 0) ids = [Tokenizer.UnknownId];   // a source without tokens still gets a (best-guess) translation
        var x = new Tensor([.. ids.Select(i => (float)i)], 1, ids.Length);
        var hypotheses = beamSize == 1 && nBest == 1 ? [_decoder.Greedy(x)] : _decoder.Beam(x, beamSize, lengthPenalty, nBest);
        if (hypotheses.Any(h => !double.IsFinite(h.LogProbability)))
            throw ModelTasks.NotFinite(_source, "The translator", "the scores of its translation are not finite");
        return [.. hypotheses.Select(h => new TranslatedText(TargetText(h.Tokens), h.Score, h.LogProbability, h.Finished))];
    }

    string TargetText(IReadOnlyList<int> ids) => TargetTokenizer.Decode(ids.Where(i => i > EndId).Select(i => i - Shift).Prepend(0));

    /// <summary>
    /// The attention weights when the decoder writes <paramref name="translation"/> for <paramref name="source"/>:
    /// the source tokens, the output tokens (the end token last) and the weights <c>[output, source]</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The translator has no attention.</exception>
    public (IReadOnlyList<string> SourceTokens, IReadOnlyList<string> OutputTokens, float[,] Weights) AttentionWeights(string source, string translation)
    {
        if (_weights is null) throw new InvalidOperationException("This translator's decoder does not attend over the source (it was trained without attention).");
        var src = SourceIds(source);
        if (src.Length == 0) src = [Tokenizer.UnknownId];
        var tgt = TargetIds(translation);
        var input = new float[tgt.Length + 1];
        input[0] = StartId;
        for (var i = 0; i < tgt.Length; i++) input[i + 1] = tgt[i];
        var w = _weights.Predict([new Tensor([.. src.Select(i => (float)i)], 1, src.Length), new Tensor(input, 1, input.Length)])[0];
        var weights = new float[input.Length, src.Length];
        for (var t = 0; t < input.Length; t++)
            for (var s = 0; s < src.Length; s++) weights[t, s] = w.Span[t * src.Length + s];
        var vocabulary = SourceTokenizer.Vocabulary;
        return ([.. src.Select(i => vocabulary[i])], [.. tgt.Select(i => TargetTokenizer.Vocabulary[i - Shift]), "</s>"], weights);
    }

    /// <summary>
    /// Corpus BLEU (13a tokens; characters for a character-level target), chrF, exact match and token error rate of the
    /// translations of <paramref name="sources"/> against <paramref name="references"/>, and of the sources themselves as
    /// a copy baseline. Pairs with the same source are one sentence with several references (a word's alternative
    /// pronunciations, a sentence translated twice): it is translated once, matches exactly when it equals any of them
    /// (token by token, as the target tokenizer splits), and counts the edits to the nearest one.
    /// </summary>
    public TranslationEvaluation Evaluate(IReadOnlyList<string> sources, IReadOnlyList<string> references, int beamSize = 5, double lengthPenalty = 0.6)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(references);
        if (sources.Count != references.Count || sources.Count == 0)
            throw new ArgumentException($"Expected one reference per source, at least one; received {sources.Count} sources and {references.Count} references.", nameof(references));
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var distinct = new List<string>();
        var grouped = new List<List<string>>();
        for (var i = 0; i < sources.Count; i++)
        {
            if (!index.TryGetValue(sources[i], out var g))
            {
                index[sources[i]] = g = distinct.Count;
                distinct.Add(sources[i]);
                grouped.Add([]);
            }
            grouped[g].Add(references[i]);
        }
        IReadOnlyList<IReadOnlyList<string>> refs = [.. grouped];
        var hypotheses = distinct.Select(s => Translate(s, beamSize, lengthPenalty)).ToArray();
        var (exact, errors) = TokenScores(hypotheses, refs);
        var (copyExact, _) = TokenScores(distinct, refs);
        return new TranslationEvaluation(distinct.Count,
            CorpusBleu(hypotheses, refs), ChrF.Corpus(hypotheses, refs).Score, exact, errors,
            CorpusBleu(distinct, refs), ChrF.Corpus(distinct, refs).Score, copyExact, hypotheses);
    }

    /// <summary>Exact match against any reference, and Σ edits to the nearest reference over Σ that reference's tokens.</summary>
    (double Exact, double ErrorRate) TokenScores(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        var (hits, edits, length) = (0, 0L, 0L);
        for (var i = 0; i < hypotheses.Count; i++)
        {
            string[] h = [.. TargetTokenizer.Split(hypotheses[i])];
            var (best, bestLength) = (int.MaxValue, 0);
            foreach (var reference in references[i])
            {
                string[] r = [.. TargetTokenizer.Split(reference)];
                var d = EditDistance.Distance(h, r);
                if (d < best || (d == best && r.Length < bestLength)) (best, bestLength) = (d, r.Length);
            }
            if (best == 0) hits++;
            edits += best;
            length += bestLength;
        }
        return ((double)hits / hypotheses.Count, length == 0 ? (edits == 0 ? 0 : 1) : (double)edits / length);
    }

    /// <summary>Saves the network with both tokenizers and the length limits (atomically, see <see cref="Model.Save"/>).</summary>
    public void Save(string path)
    {
        Model.Metadata[ModelTasks.Key] = ModelTasks.Translate;
        Model.Metadata[SourceKey] = SourceTokenizer.ToJson();
        Model.Metadata[TargetKey] = TargetTokenizer.ToJson();
        Model.Metadata[LengthsKey] = $"{{\"max_source_length\":{MaxSourceLength},\"max_target_length\":{MaxTargetLength}}}";
        Model.Save(path);
    }

    /// <summary>The longest source or output a model file may declare (a sentence, not a book).</summary>
    public const int MaxLengthLimit = 10_000;

    /// <summary>Loads a translator saved by <see cref="Save"/>; a model file made for another task is refused.</summary>
    /// <remarks>
    /// A valid translator file is a valid model file (see <see cref="Model.Load"/>) made for the translate task, with
    /// two valid tokenizers (see <see cref="Tokenizer.FromJson"/>) and length limits of 1 (source) or 2 (output) to
    /// <see cref="MaxLengthLimit"/>; its network takes source ids and target ids [time] through the Embeddings
    /// <c>source_embedding</c> (exactly the source tokenizer's ids) and <c>target_embedding</c> (the target tokenizer's
    /// ids and the start and end ids), runs encoder layers <c>encoder_…</c> and a <c>decoder</c> (an
    /// <see cref="AttentionLstm"/> or an <see cref="Lstm"/>), and ends in a score per target id; translating one
    /// sentence at the length limits fits <see cref="ModelFileLimits.MaxWorkBytes"/>.
    /// </remarks>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid translator file; the message names it and says why.</exception>
    public static Translator Load(string path, ModelFileLimits? limits = null)
    {
        limits ??= ModelFileLimits.Default;
        var model = Model.Load(path, limits);
        var task = ModelTasks.Of(model);
        if (task != ModelTasks.Translate || !model.Metadata.TryGetValue(SourceKey, out var source) || !model.Metadata.TryGetValue(TargetKey, out var target)
            || !model.Metadata.TryGetValue(LengthsKey, out var lengths))
            throw ModelTasks.WrongKind(path, task, ModelTasks.Translate);
        var (sourceTokenizer, targetTokenizer) = (ModelTasks.ReadTokenizer(path, source), ModelTasks.ReadTokenizer(path, target));
        int maxSource, maxTarget;
        try
        {
            using var json = JsonDocument.Parse(lengths);
            maxSource = json.RootElement.GetProperty("max_source_length").GetInt32();
            maxTarget = json.RootElement.GetProperty("max_target_length").GetInt32();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: the length limits in this model file are damaged ({SafeTensors.Excerpt(e.Message, 200)}).", e);
        }
        if (maxSource is < 1 or > MaxLengthLimit || maxTarget is < 2 or > MaxLengthLimit)
            throw new InvalidDataException($"{path}: the length limits {maxSource} (source) and {maxTarget} (output) are outside [1, {MaxLengthLimit}] and [2, {MaxLengthLimit}].");
        if (model.Inputs.Count != 2 || model.Inputs.Any(i => i.Shape.Count != 1) || model.Outputs.Count != 1)
            throw new InvalidDataException($"{path}: the network takes {model.Inputs.Count} input(s) and gives {model.Outputs.Count} output(s); a translator takes source and target ids [time] and gives scores.");
        CheckEmbedding(path, model, "source_embedding", sourceTokenizer.VocabularySize, "the source tokenizer's");
        CheckEmbedding(path, model, "target_embedding", targetTokenizer.VocabularySize + Shift, "the target tokenizer's ids and the start and end");
        if (model.OutputShape[^1] != targetTokenizer.VocabularySize + Shift)
            throw new InvalidDataException($"{path}: the target vocabulary of {targetTokenizer.VocabularySize} tokens (+2) disagrees with the network's {model.OutputShape[^1]} outputs.");
        // One sentence at the limits: the encoder's steps, the weights [output, source], and a beam's rows of scores.
        var units = (double)model.Parameters.Max(p => p.Value.Rank > 0 ? p.Value.Shape[^1] : 1);
        var work = 4 * ((double)maxSource * units * 32 + (double)maxTarget * maxSource + 64 * (model.OutputShape[^1] + units * 32));
        if (work > limits.MaxWorkBytes)
            throw new InvalidDataException($"{path}: translating a sentence at this model's limits needs about {work / (1 << 20):N0} MB of work buffers, above the limit of {limits.MaxWorkBytes >> 20:N0} MB ({nameof(ModelFileLimits)}.{nameof(ModelFileLimits.MaxWorkBytes)}); the file is damaged, or raise the limit.");
        try
        {
            return new Translator(model, sourceTokenizer, targetTokenizer, maxSource, maxTarget) { _source = path };
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: the translation network is not one a translator makes: {SafeTensors.Excerpt(e.Message, 400)}", e);
        }
    }

    static void CheckEmbedding(string path, Model model, string name, int ids, string what)
    {
        if (model.Layers.FirstOrDefault(l => l.Name == name) is not Embedding embedding)
            throw new InvalidDataException($"{path}: the network has no Embedding '{name}'; a translator reads its ids through one.");
        if (embedding.VocabularySize != ids)
            throw new InvalidDataException($"{path}: the Embedding '{name}' has {embedding.VocabularySize} rows but {what} ids are {ids}; they must be equal.");
    }
}

/// <summary>A translation: its text, its score (log-probability over GNMT's length penalty), its log-probability, and whether it ended (false: cut at the length limit).</summary>
public sealed record TranslatedText(string Text, double Score, double LogProbability, bool Finished);

/// <summary>
/// Translation scores over <c>Sentences</c> distinct sources — corpus BLEU and chrF in [0, 1], exact match (1 − the word
/// error rate of grapheme-to-phoneme) and the token error rate (edits to the nearest reference over its tokens: the
/// phoneme error rate) as fractions — and the same for copying the source.
/// </summary>
public sealed record TranslationEvaluation(int Sentences, double Bleu, double ChrF, double ExactMatch, double TokenErrorRate,
    double CopyBleu, double CopyChrF, double CopyExactMatch, IReadOnlyList<string> Hypotheses);
