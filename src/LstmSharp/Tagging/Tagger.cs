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
/// The network: word ids → Embedding (with <see cref="TaggerOptions.CharFeatures"/> concatenated with a character
/// encoder's features per word) → Dropout → bidirectional LSTM layers → Dropout → Dense (one score per tag) →
/// <see cref="Crf"/> (or a softmax per token).
/// </summary>
public sealed class Tagger
{
    const string MetadataKey = "lstmsharp.tagger";
    const int PredictBatch = 64;

    readonly WordVocabulary _words;
    readonly WordVocabulary? _chars;    // the characters (as strings of one rune) with character features
    readonly Dictionary<string, int> _tagIds;
    readonly Crf? _crf;
    string? _source;

    Tagger(Model model, WordVocabulary words, WordVocabulary? chars, int maxWordLength, IReadOnlyList<string> tags, TagScheme scheme, int maxLength)
    {
        Model = model;
        _words = words;
        _chars = chars;
        MaxWordLength = maxWordLength;
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

    /// <summary>Whether each word's characters are read too (<see cref="TaggerOptions.CharFeatures"/>).</summary>
    public bool HasCharFeatures => _chars is not null;

    /// <summary>The most characters read of a word (with character features; else 0).</summary>
    public int MaxWordLength { get; }

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
        var chars = options.CharFeatures ? WordVocabulary.Fit(train.SelectMany(s => s.Tokens).Select(Characters), false, options.MaxCharacters).Vocabulary : null;
        string[] tags = [.. train.Concat(valid).SelectMany(s => s.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        var model = Build(options with { EmbeddingSize = options.Embeddings?.Dimension ?? options.EmbeddingSize }, words.Size, chars?.Size, tags);
        var tagger = new Tagger(model, words, chars, chars is null ? 0 : options.MaxWordLength, tags, options.Scheme, options.MaxLength);
        var embedding = (Embedding)model.Layers.Single(l => l.Name == "word_embedding");
        if (options.Embeddings is { } vectors) tagger.PretrainedWords = Initialize(embedding, words, vectors);
        embedding.Trainable = !options.FreezeEmbeddings;

        var trainBatches = new TagBatches([.. train.Select(tagger.WordIds)], tagger.CharIds(train), [.. train.Select(tagger.TagIds)], options.BatchSize, options.Seed, rare, options.WordDropout);
        var all = new List<Callback>(callbacks ?? []);
        var fit = new FitOptions { Epochs = options.Epochs, Seed = options.Seed, Progress = progress, Callbacks = all, ThrowOnDivergence = true };
        if (valid.Length > 0)
        {
            fit = fit with
            {
                ValidationBatches = new TagBatches([.. valid.Select(tagger.WordIds)], tagger.CharIds(valid), [.. valid.Select(tagger.TagIds)], options.BatchSize, null),
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

    /// <summary>
    /// Embedding (with <paramref name="characters"/>: concatenated with the character encoder's features) → Dropout →
    /// bidirectional LSTMs → Dropout → Dense(tags) → Crf (with the scheme's constraints) or logits.
    /// </summary>
    static Model Build(TaggerOptions o, int vocabulary, int? characters, string[] tags)
    {
        var input = new Input(-1) { Name = "words" };
        List<Input> inputs = [input];
        Symbol Drop(Symbol x, string name) => o.Dropout > 0f ? new Dropout(o.Dropout, o.Seed, name).Call(x) : x;
        var x = new Embedding(vocabulary, o.EmbeddingSize, "word_embedding").Call(input);
        if (characters is { } size)
        {
            // Lample et al. (2016): a word's characters → Embedding → bidirectional LSTM, the two final states its features.
            var word = new Input(-1) { Name = "word_characters" };
            var states = new Bidirectional(new Lstm(o.CharUnits, new LstmOptions { Name = "char_lstm" }), MergeMode.Concat, "char_lstm")
                .Call(new Embedding(size, o.CharEmbeddingSize, CharEmbeddingName).Call(word));
            var encoder = new Model([word], [states], o.Seed + 1, "char_encoder");
            var chars = new Input(-1, -1) { Name = "chars" };
            inputs.Add(chars);
            x = new Concatenate(name: "word_features").Call(x, new TimeDistributed(encoder, "char_features").Call(chars));
        }
        x = Drop(x, "embedding_dropout");
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
        var model = new Model(inputs, [emissions], o.Seed, "tagger");
        model.Compile(new Adam(o.LearningRate) { GlobalClipNorm = 5f }, crf is null ? new SparseCategoricalCrossentropy(fromLogits: true) : new CrfLoss(crf));
        return model;
    }

    const string CharEmbeddingName = "char_embedding";

    int[] WordIds(TaggedSentence s) => [.. s.Tokens.Take(MaxLength).Select(_words.Id)];

    /// <summary>Each sentence's words as character ids (null without character features).</summary>
    int[][][]? CharIds(IEnumerable<TaggedSentence> sentences) =>
        _chars is null ? null : [.. sentences.Select(s => s.Tokens.Take(MaxLength).Select(CharIds).ToArray())];

    /// <summary>A word's character ids; a word longer than <see cref="MaxWordLength"/> keeps its first and last halves of that many.</summary>
    internal int[] CharIds(string token)
    {
        var chars = Characters(token);
        var ids = new int[Math.Min(chars.Length, MaxWordLength)];
        var head = (ids.Length + 1) / 2;
        for (var i = 0; i < ids.Length; i++) ids[i] = _chars!.Id(chars[i < head ? i : chars.Length - (ids.Length - i)]);
        return ids;
    }

    /// <summary>A token's characters: its runes, each as a string.</summary>
    static string[] Characters(string token)
    {
        var chars = new List<string>(token.Length);
        foreach (var rune in token.EnumerateRunes()) chars.Add(rune.ToString());
        return [.. chars];
    }

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
        var pieces = new List<(int Sentence, int Start, string[] Tokens)>();
        for (var s = 0; s < sentences.Count; s++)
        {
            var tokens = sentences[s] ?? throw new ArgumentNullException(nameof(sentences), $"Sentence {s} is null.");
            for (var start = 0; start < tokens.Count; start += MaxLength)
                pieces.Add((s, start, [.. tokens.Skip(start).Take(MaxLength)]));
        }
        var result = sentences.Select(t => new string[t.Count]).ToArray();
        var batches = new TagBatches([.. pieces.Select(p => p.Tokens.Select(_words.Id).ToArray())],
            _chars is null ? null : [.. pieces.Select(p => p.Tokens.Select(CharIds).ToArray())], null, PredictBatch, null);
        for (var b = 0; b < batches.BatchCount; b++)
        {
            var inputs = batches.GetBatch(b).Inputs;
            var rows = batches.Rows(b);
            var ids = inputs[0];
            var mask = Tensor.Zeros([.. ids.Shape]);
            for (var i = 0; i < ids.Length; i++) mask.Span[i] = ids.Span[i] == WordVocabulary.PaddingId ? 0f : 1f;
            var scores = Model.Predict(inputs, rows.Count)[0];
            CheckFinite(scores);
            var paths = _crf is not null ? _crf.Decode(scores, mask) : BestPerToken(scores, mask);
            for (var r = 0; r < rows.Count; r++)
            {
                var piece = pieces[rows[r]];
                for (var i = 0; i < paths[r].Length; i++) result[piece.Sentence][piece.Start + i] = Tags[paths[r][i]];
            }
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
            if (_chars is not null)
            {
                json.WriteNumber("max_word_length", MaxWordLength);
                json.WriteStartArray("chars");
                foreach (var c in _chars.Words) json.WriteStringValue(c);
                json.WriteEndArray();
            }
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
    /// per tag and step, from a <see cref="Crf"/> of that many tags or a softmax head. With character features the metadata
    /// also lists the distinct characters and a word length limit in [1, <see cref="MaxLengthLimit"/>], and the network has a
    /// second input, character ids [time, chars], read through the Embedding <c>char_embedding</c> (the characters, padding and [UNK]).
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
        int maxLength, maxWordLength = 0;
        string[] tags, words;
        string[]? chars = null;
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
            if (root.TryGetProperty("chars", out var list))
            {
                chars = [.. list.EnumerateArray().Select(t => t.GetString() ?? throw new FormatException("a character is null"))];
                maxWordLength = root.GetProperty("max_word_length").GetInt32();
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: the tagger settings in this model file are damaged ({SafeTensors.Excerpt(e.Message, 200)}).", e);
        }
        if (maxLength is < 1 or > MaxLengthLimit) throw new InvalidDataException($"{path}: the length limit {maxLength} is outside [1, {MaxLengthLimit}].");
        if (tags.Length == 0 || tags.Distinct(StringComparer.Ordinal).Count() != tags.Length) throw new InvalidDataException($"{path}: the tag list is empty or repeats a tag.");
        if (model.Inputs.Count != (chars is null ? 1 : 2))
        {
            throw new InvalidDataException(chars is null
                ? $"{path}: the network has {model.Inputs.Count} inputs, but the tagger settings list no characters: a tagger without character features reads word ids only."
                : $"{path}: the tagger settings list characters, but the network has {model.Inputs.Count} input(s); with character features it reads word ids and their characters.");
        }
        if (model.Inputs[0].Shape.Count != 1 || model.Outputs.Count != 1 || model.OutputShape[^1] != tags.Length)
        {
            throw new InvalidDataException(
                $"{path}: the network does not read word ids [time]{(chars is null ? "" : " and their characters [time, chars]")} and give a score for each of its {tags.Length} tags per step.");
        }
        if (chars is not null)
        {
            if (model.Inputs[1].Shape is not [-1, -1]) throw new InvalidDataException($"{path}: the network's second input must take characters [time, chars]; it is {model.Inputs[1].Describe()}.");
            if (maxWordLength is < 1 or > MaxLengthLimit) throw new InvalidDataException($"{path}: the word length limit {maxWordLength} is outside [1, {MaxLengthLimit}].");
            if (model.AllLayers().FirstOrDefault(l => l.Name == CharEmbeddingName) is not Embedding charEmbedding || charEmbedding.VocabularySize != chars.Length + 2)
                throw new InvalidDataException($"{path}: the network needs an Embedding '{CharEmbeddingName}' of {chars.Length + 2} rows (the {chars.Length} characters, padding and [UNK]).");
        }
        if (model.Layers.FirstOrDefault(l => l.Name == "word_embedding") is not Embedding embedding || embedding.VocabularySize != words.Length + 2)
            throw new InvalidDataException($"{path}: the network needs an Embedding 'word_embedding' of {words.Length + 2} rows (the {words.Length} words, padding and [UNK]).");
        try
        {
            return new Tagger(model, new WordVocabulary(words, lowercase), chars is null ? null : new WordVocabulary(chars, false), maxWordLength, tags, scheme, maxLength) { _source = path };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: the tagger in this model file is damaged: {SafeTensors.Excerpt(e.Message, 400)}", e);
        }
    }
}
