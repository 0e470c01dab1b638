// Tagger: a tag per token — named entities (BIO/IOBES spans), part of speech — with a bidirectional LSTM over word
// embeddings and a CRF (Huang et al. 2015; Lample et al. 2016) or a softmax per token on top; trained with word dropout
// of rare words and early stopping on validation F1, evaluated with conlleval's entity scores.
using System.Text.Json;
using LstmSharp.Callbacks;
using LstmSharp.IO;
using LstmSharp.Internals;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;

namespace LstmSharp.Tagging;

/// <summary>
/// A sequence tagger: <see cref="Train"/> on tagged sentences (e.g. from <see cref="Conll.Read(string, int, int)"/>),
/// <see cref="Tag"/> token lists, <see cref="Evaluate"/> against gold tags, <see cref="Save"/> and <see cref="Load"/>.
/// The network: word ids → Embedding → Dropout → bidirectional LSTM layers → Dropout → Dense (one score per tag) →
/// <see cref="Crf"/> (or a softmax per token).
/// </summary>
public sealed class Tagger
{
    const string MetadataKey = "lstmsharp.tagger";
    const int PredictBatch = 64;

    readonly WordVocabulary _words;
    readonly Dictionary<string, int> _tagIds;
    readonly Crf? _crf;
    string? _source;

    Tagger(Model model, WordVocabulary words, IReadOnlyList<string> tags, TagScheme scheme, int maxLength)
    {
        Model = model;
        _words = words;
        Tags = tags;
        _tagIds = tags.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
        Scheme = scheme;
        MaxLength = maxLength;
        _crf = model.Layers.OfType<Crf>().SingleOrDefault();
    }

    /// <summary>The network.</summary>
    public Model Model { get; }

    /// <summary>The tags, in the order of the network's scores.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>The tag scheme the tagger was trained with.</summary>
    public TagScheme Scheme { get; }

    /// <summary>Whether the output layer is a CRF (else a softmax per token).</summary>
    public bool HasCrf => _crf is not null;

    /// <summary>The longest stretch tagged at once, in tokens; longer sentences are tagged in pieces of this length.</summary>
    public int MaxLength { get; }

    /// <summary>The words the tagger knows (the others read as [UNK]).</summary>
    public int VocabularySize => _words.Words.Count;

    /// <summary>The training history (null for a loaded tagger).</summary>
    public History? History { get; private set; }

    /// <summary>
    /// Trains on <paramref name="sentences"/>: the words and tags fitted on them, validation on <paramref name="validation"/>
    /// or else a seeded <see cref="TaggerOptions.ValidationFraction"/> of them, <c>val_f1</c> (entity F1; for
    /// <see cref="TagScheme.None"/> token accuracy) and <c>val_token_accuracy</c> logged every epoch, early stopping on
    /// <c>val_f1</c> with the best weights kept. Sentences longer than <see cref="TaggerOptions.MaxLength"/> are cut.
    /// </summary>
    /// <exception cref="ArgumentException">A sentence is empty or its tags do not match its tokens, or the tags break the scheme (the first few are listed with their file and line).</exception>
    public static Tagger Train(IReadOnlyList<TaggedSentence> sentences, TaggerOptions options, IProgress<FitProgress>? progress = null,
        IReadOnlyList<Callback>? callbacks = null, IReadOnlyList<TaggedSentence>? validation = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Check(sentences, options.Scheme, nameof(sentences));
        TaggedSentence[] train, valid;
        if (validation is not null)
        {
            if (validation.Count > 0) Check(validation, options.Scheme, nameof(validation));
            (train, valid) = ([.. sentences], [.. validation]);
        }
        else
        {
            var order = Enumerable.Range(0, sentences.Count).ToArray();
            new Rng(options.Seed).Shuffle<int>(order);
            var held = Math.Min((int)Math.Round(options.ValidationFraction * sentences.Count), sentences.Count - 1);
            var rest = order[held..];
            Array.Sort(rest);
            (train, valid) = ([.. rest.Select(i => sentences[i])], [.. order[..held].Select(i => sentences[i])]);
        }

        var (words, rare) = WordVocabulary.Fit(train.Select(s => s.Tokens), options.Lowercase, options.MaxVocabulary);
        string[] tags = [.. train.Concat(valid).SelectMany(s => s.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var model = Build(options with { EmbeddingSize = options.Embeddings?.Dimension ?? options.EmbeddingSize }, words.Size, tags);
        var tagger = new Tagger(model, words, tags, options.Scheme, options.MaxLength);
        var embedding = (Embedding)model.Layers.Single(l => l.Name == "word_embedding");
        if (options.Embeddings is { } vectors) tagger.PretrainedWords = Initialize(embedding, words, vectors);
        embedding.Trainable = !options.FreezeEmbeddings;

        var trainBatches = new TagBatches([.. train.Select(tagger.WordIds)], [.. train.Select(tagger.TagIds)], options.BatchSize, options.Seed, rare, options.WordDropout);
        var all = new List<Callback>(callbacks ?? []);
        var fit = new FitOptions { Epochs = options.Epochs, Seed = options.Seed, Progress = progress, Callbacks = all, ThrowOnDivergence = true };
        if (valid.Length > 0)
        {
            fit = fit with
            {
                ValidationBatches = new TagBatches([.. valid.Select(tagger.WordIds)], [.. valid.Select(tagger.TagIds)], options.BatchSize, null, rare, 0f),
                EpochScores = _ =>
                {
                    var scores = tagger.Evaluate(valid);
                    return new Dictionary<string, float>
                    {
                        ["val_f1"] = (float)(options.Scheme == TagScheme.None ? scores.TokenAccuracy : scores.Overall.F1),
                        ["val_token_accuracy"] = (float)scores.TokenAccuracy,
                    };
                },
            };
            if (options.Patience > 0) all.Insert(0, new EarlyStopping("val_f1", options.Patience, restoreBestWeights: true, mode: MonitorMode.Max));
        }
        tagger.History = model.Fit(trainBatches, fit);
        return tagger;
    }

    /// <summary>How many of the words started from a pre-trained vector (0 without <see cref="TaggerOptions.Embeddings"/>).</summary>
    public int PretrainedWords { get; private set; }

    /// <summary>Copies each word's vector (its spelling, else lower-cased) into its embedding row; returns how many were found.</summary>
    static int Initialize(Embedding embedding, WordVocabulary words, Data.WordVectors vectors)
    {
        var weight = embedding.Parameters[0].Value.Span;
        var found = 0;
        for (var i = 0; i < words.Words.Count; i++)
        {
            if (!vectors.TryGet(words.Words[i], out var vector) && !vectors.TryGet(words.Words[i].ToLowerInvariant(), out vector)) continue;
            vector.CopyTo(weight.Slice((i + 2) * vectors.Dimension, vectors.Dimension));
            found++;
        }
        return found;
    }

    static void Check(IReadOnlyList<TaggedSentence> sentences, TagScheme scheme, string name)
    {
        if (sentences.Count == 0) throw new ArgumentException("There are no sentences to train on.", name);
        foreach (var s in sentences)
        {
            ArgumentNullException.ThrowIfNull(s, name);
            if (s.Tokens.Count == 0) throw new ArgumentException($"{Where(s, 0)}: a sentence has no tokens.", name);
            if (s.Tags.Count != s.Tokens.Count)
                throw new ArgumentException($"{Where(s, 0)}: a sentence of {s.Tokens.Count} tokens has {s.Tags.Count} tags; it needs one per token.", name);
        }
        var violations = TagSchemes.Violations(sentences, scheme);
        if (violations.Count > 0)
            throw new ArgumentException($"The tags break the {scheme} scheme (first {violations.Count}):{Environment.NewLine}{string.Join(Environment.NewLine, violations)}", name);
    }

    static string Where(TaggedSentence s, int token) => s.Lines.Count > token ? $"{s.Source}:{s.Lines[token]}" : s.Source;

    /// <summary>Embedding → Dropout → bidirectional LSTMs → Dropout → Dense(tags) → Crf (with the scheme's constraints) or logits.</summary>
    static Model Build(TaggerOptions o, int vocabulary, string[] tags)
    {
        var input = new Input(-1) { Name = "words" };
        Symbol Drop(Symbol x, string name) => o.Dropout > 0f ? new Dropout(o.Dropout, o.Seed, name).Call(x) : x;
        var x = Drop(new Embedding(vocabulary, o.EmbeddingSize, "word_embedding").Call(input), "embedding_dropout");
        for (var l = 1; l <= o.Layers; l++)
            x = new Bidirectional(new Lstm(o.Units, new LstmOptions { ReturnSequences = true, Name = $"lstm_{l}" }), MergeMode.Concat, $"lstm_{l}").Call(x);
        var emissions = new Dense(tags.Length, name: "emissions").Call(Drop(x, "output_dropout"));
        Crf? crf = null;
        if (o.Crf)
        {
            var constraints = o.Scheme == TagScheme.None ? null
                : CrfConstraints.Create(tags.Length, (from, to) => TagSchemes.Allowed(from is { } f ? tags[f] : null, to is { } t ? tags[t] : null, o.Scheme));
            crf = new Crf(constraints, "crf");
            emissions = crf.Call(emissions);
        }
        var model = new Model([input], [emissions], o.Seed, "tagger");
        model.Compile(new Adam(o.LearningRate) { GlobalClipNorm = 5f }, crf is null ? new SparseCategoricalCrossentropy(fromLogits: true) : new CrfLoss(crf));
        return model;
    }

    int[] WordIds(TaggedSentence s) => [.. s.Tokens.Take(MaxLength).Select(_words.Id)];

    int[] TagIds(TaggedSentence s) => [.. s.Tags.Take(MaxLength).Select(t => _tagIds[t])];

    /// <summary>The tags of one sentence's tokens.</summary>
    public IReadOnlyList<string> Tag(IReadOnlyList<string> tokens) => TagAll([tokens])[0];

    /// <summary>
    /// The tags of every sentence's tokens (Viterbi with a CRF, else the best tag per token); a sentence longer than
    /// <see cref="MaxLength"/> is tagged in pieces of that length. An empty sentence gets no tags.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> TagAll(IReadOnlyList<IReadOnlyList<string>> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        // Pieces of at most MaxLength tokens, tagged in batches of similar lengths.
        var pieces = new List<(int Sentence, int Start, int[] Ids)>();
        for (var s = 0; s < sentences.Count; s++)
        {
            var tokens = sentences[s] ?? throw new ArgumentNullException(nameof(sentences), $"Sentence {s} is null.");
            for (var start = 0; start < tokens.Count; start += MaxLength)
                pieces.Add((s, start, [.. tokens.Skip(start).Take(MaxLength).Select(_words.Id)]));
        }
        var result = sentences.Select(t => new string[t.Count]).ToArray();
        foreach (var batch in pieces.OrderBy(p => p.Ids.Length).Chunk(PredictBatch))
        {
            var length = batch[^1].Ids.Length;
            var ids = Tensor.Zeros(batch.Length, length);
            var mask = Tensor.Zeros(batch.Length, length);
            for (var r = 0; r < batch.Length; r++)
                for (var i = 0; i < batch[r].Ids.Length; i++)
                {
                    ids.Span[r * length + i] = batch[r].Ids[i];
                    mask.Span[r * length + i] = 1f;
                }
            var scores = Model.Predict(ids);
            CheckFinite(scores);
            var paths = _crf is not null ? _crf.Decode(scores, mask) : BestPerToken(scores, mask);
            for (var r = 0; r < batch.Length; r++)
                for (var i = 0; i < paths[r].Length; i++) result[batch[r].Sentence][batch[r].Start + i] = Tags[paths[r][i]];
        }
        return result;
    }

    void CheckFinite(Tensor scores)
    {
        foreach (var v in scores.Span)
            if (!float.IsFinite(v)) throw ModelTasks.NotFinite(_source, Model.Name, "the tag scores are not finite");
    }

    static int[][] BestPerToken(Tensor scores, Tensor mask)
    {
        int b = scores.Dim(0), t = scores.Dim(1), k = scores.Dim(2);
        var paths = new int[b][];
        for (var r = 0; r < b; r++)
        {
            var n = 0;
            while (n < t && mask.Span[r * t + n] != 0f) n++;
            paths[r] = new int[n];
            for (var i = 0; i < n; i++) paths[r][i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(scores.Span.Slice((r * t + i) * k, k));
        }
        return paths;
    }

    /// <summary>
    /// Token accuracy, entity precision/recall/F1 (conlleval's rules) and the tag confusion table on <paramref name="sentences"/>.
    /// A gold tag the tagger was not trained on can never be predicted and counts as an error; <see cref="UnknownTags"/> lists them.
    /// </summary>
    /// <exception cref="ArgumentException">A sentence's tags do not match its tokens.</exception>
    public TaggingEvaluation Evaluate(IReadOnlyList<TaggedSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        if (sentences.Count == 0) throw new ArgumentException("There are no sentences to evaluate on.", nameof(sentences));
        foreach (var s in sentences)
        {
            if (s.Tags.Count != s.Tokens.Count)
                throw new ArgumentException($"{Where(s, 0)}: a sentence of {s.Tokens.Count} tokens has {s.Tags.Count} tags.", nameof(sentences));
        }
        var predicted = TagAll([.. sentences.Select(s => s.Tokens)]);
        return TaggingEvaluation.Compute([.. sentences.Select(s => s.Tags)], predicted, Scheme);
    }

    /// <summary>Every token of <paramref name="sentences"/> whose gold tag the tagger was not trained on, as <c>file:line: 'tag'</c>, in order.</summary>
    public IReadOnlyList<string> UnknownTags(IReadOnlyList<TaggedSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var unknown = new List<string>();
        foreach (var s in sentences)
            for (var i = 0; i < s.Tags.Count; i++)
                if (!_tagIds.ContainsKey(s.Tags[i])) unknown.Add($"{Where(s, i)}: '{s.Tags[i]}'");
        return unknown;
    }

    /// <summary>The tags, shortened for a message.</summary>
    public string DescribeTags() => Describe(Tags);

    static string Describe(IReadOnlyList<string> tags) => tags.Count <= 12 ? string.Join(", ", tags) : $"{string.Join(", ", tags.Take(12))} and {tags.Count - 12} more";

    /// <summary>Saves the network with the words, tags, scheme and length limit (atomically, see <see cref="Model.Save"/>).</summary>
    public void Save(string path)
    {
        Model.Metadata[ModelTasks.Key] = ModelTasks.Tag;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("scheme", Scheme.ToString());
            json.WriteBoolean("lowercase", _words.Lowercase);
            json.WriteNumber("max_length", MaxLength);
            json.WriteStartArray("tags");
            foreach (var t in Tags) json.WriteStringValue(t);
            json.WriteEndArray();
            json.WriteStartArray("words");
            foreach (var w in _words.Words) json.WriteStringValue(w);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        Model.Metadata[MetadataKey] = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        Model.Save(path);
    }

    /// <summary>The longest piece a tagger file may declare.</summary>
    public const int MaxLengthLimit = 10_000;

    /// <summary>Loads a tagger saved by <see cref="Save"/>; a model file made for another task is refused.</summary>
    /// <remarks>
    /// A valid tagger file is a valid model file (see <see cref="Model.Load"/>) made for the tag task, whose metadata
    /// holds its scheme, distinct tags, distinct words and a length limit in [1, <see cref="MaxLengthLimit"/>]; its network
    /// reads word ids [time] through the Embedding <c>word_embedding</c> (the words, padding and [UNK]) and gives one score
    /// per tag and step, from a <see cref="Crf"/> of that many tags or a softmax head.
    /// </remarks>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid tagger file; the message names it and says why.</exception>
    public static Tagger Load(string path, ModelFileLimits? limits = null)
    {
        var model = Model.Load(path, limits);
        var task = ModelTasks.Of(model);
        if (task != ModelTasks.Tag || !model.Metadata.TryGetValue(MetadataKey, out var metadata)) throw ModelTasks.WrongKind(path, task, ModelTasks.Tag);
        TagScheme scheme;
        bool lowercase;
        int maxLength;
        string[] tags, words;
        try
        {
            using var json = JsonDocument.Parse(metadata);
            var root = json.RootElement;
            scheme = Enum.TryParse<TagScheme>(root.GetProperty("scheme").GetString(), out var s) && Enum.IsDefined(s) ? s
                : throw new FormatException($"unknown tag scheme '{root.GetProperty("scheme").GetString()}'");
            lowercase = root.GetProperty("lowercase").GetBoolean();
            maxLength = root.GetProperty("max_length").GetInt32();
            tags = [.. root.GetProperty("tags").EnumerateArray().Select(t => t.GetString() ?? throw new FormatException("a tag is null"))];
            words = [.. root.GetProperty("words").EnumerateArray().Select(t => t.GetString() ?? throw new FormatException("a word is null"))];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: the tagger settings in this model file are damaged ({SafeTensors.Excerpt(e.Message, 200)}).", e);
        }
        if (maxLength is < 1 or > MaxLengthLimit) throw new InvalidDataException($"{path}: the length limit {maxLength} is outside [1, {MaxLengthLimit}].");
        if (tags.Length == 0 || tags.Distinct(StringComparer.Ordinal).Count() != tags.Length) throw new InvalidDataException($"{path}: the tag list is empty or repeats a tag.");
        if (model.Inputs.Count != 1 || model.Inputs[0].Shape.Count != 1 || model.Outputs.Count != 1 || model.OutputShape[^1] != tags.Length)
            throw new InvalidDataException($"{path}: the network does not read word ids [time] and give a score for each of its {tags.Length} tags per step.");
        if (model.Layers.FirstOrDefault(l => l.Name == "word_embedding") is not Embedding embedding || embedding.VocabularySize != words.Length + 2)
            throw new InvalidDataException($"{path}: the network needs an Embedding 'word_embedding' of {words.Length + 2} rows (the {words.Length} words, padding and [UNK]).");
        try
        {
            return new Tagger(model, new WordVocabulary(words, lowercase), tags, scheme, maxLength) { _source = path };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: the tagger in this model file is damaged: {SafeTensors.Excerpt(e.Message, 400)}", e);
        }
    }
}
