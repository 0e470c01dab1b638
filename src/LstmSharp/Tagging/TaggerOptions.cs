// TaggerOptions: the settings of a sequence tagger — the tag scheme, the network (word embedding, bidirectional LSTM,
// CRF or softmax head) and its training (Adam, word dropout of rare words, early stopping on validation F1).
namespace LstmSharp.Tagging;

/// <summary>How a <see cref="Tagger"/> is built and trained; the defaults follow Lample et al. (2016) where they apply.</summary>
public sealed record TaggerOptions
{
    /// <summary>The tag scheme: <see cref="TagScheme.Bio"/> or <see cref="TagScheme.Iobes"/> for spans (entity F1, CRF constraints), <see cref="TagScheme.None"/> for one label per token (part of speech).</summary>
    public TagScheme Scheme { get; init; } = TagScheme.Bio;

    /// <summary>A CRF output layer (Viterbi decoding, the scheme's transitions enforced); false: a softmax per token.</summary>
    public bool Crf { get; init; } = true;

    /// <summary>Lower-case the words before looking them up.</summary>
    public bool Lowercase { get; init; }

    /// <summary>The most distinct words kept (the most frequent); the others read as [UNK].</summary>
    public int MaxVocabulary { get; init; } = 50_000;

    /// <summary>The probability with which a word seen once in training reads as [UNK] in a training batch, so [UNK] is learned.</summary>
    public float WordDropout { get; init; } = 0.5f;

    /// <summary>Word embedding width (the vectors' width when <see cref="Embeddings"/> are given).</summary>
    public int EmbeddingSize { get; init; } = 100;

    /// <summary>Pre-trained vectors to start the word embedding from (a word's own spelling first, then lower-cased); null: random.</summary>
    public Data.WordVectors? Embeddings { get; init; }

    /// <summary>Keep the word embedding as it starts (with <see cref="Embeddings"/>: the pre-trained vectors) instead of training it.</summary>
    public bool FreezeEmbeddings { get; init; }

    /// <summary>
    /// Character features (Lample et al. 2016): each word's characters read by a bidirectional LSTM, its two final states
    /// concatenated with the word embedding, so a word never seen in training still shows its capitals, digits and suffixes.
    /// </summary>
    public bool CharFeatures { get; init; }

    /// <summary>Character embedding width (with <see cref="CharFeatures"/>).</summary>
    public int CharEmbeddingSize { get; init; } = 25;

    /// <summary>Character LSTM units per direction (with <see cref="CharFeatures"/>).</summary>
    public int CharUnits { get; init; } = 25;

    /// <summary>The most characters read of a word (with <see cref="CharFeatures"/>): a longer word keeps its first and last halves of that many.</summary>
    public int MaxWordLength { get; init; } = 20;

    /// <summary>The most distinct characters kept (the most frequent); the others read as [UNK].</summary>
    public int MaxCharacters { get; init; } = 1_000;

    /// <summary>LSTM units per direction.</summary>
    public int Units { get; init; } = 100;

    /// <summary>Stacked bidirectional LSTM layers.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Dropout on the embeddings and on the LSTM output.</summary>
    public float Dropout { get; init; } = 0.5f;

    /// <summary>Adam's learning rate (gradients clipped to norm 5).</summary>
    public float LearningRate { get; init; } = 0.002f;

    /// <summary>Most epochs.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Sentences per batch (of similar lengths).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Epochs without a better validation F1 before training stops, the best weights restored (0: off).</summary>
    public int Patience { get; init; } = 3;

    /// <summary>The fraction of the training sentences held out for validation when no validation set is given.</summary>
    public float ValidationFraction { get; init; } = 0.1f;

    /// <summary>The longest sentence read, in tokens (longer ones are cut for training; tagging splits them).</summary>
    public int MaxLength { get; init; } = 200;

    /// <summary>Seed of the weights, the split, the batches and the dropouts.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        static void Positive(int value, string name)
        {
            if (value < 1) throw new ArgumentException($"{name} must be at least 1; received {value}.", name);
        }
        Positive(MaxVocabulary, nameof(MaxVocabulary));
        Positive(EmbeddingSize, nameof(EmbeddingSize));
        Positive(Units, nameof(Units));
        Positive(Layers, nameof(Layers));
        Positive(Epochs, nameof(Epochs));
        Positive(BatchSize, nameof(BatchSize));
        Positive(MaxLength, nameof(MaxLength));
        if (MaxLength > Tagger.MaxLengthLimit) throw new ArgumentException($"{nameof(MaxLength)} must be at most {Tagger.MaxLengthLimit}; received {MaxLength}.", nameof(MaxLength));
        if (MaxWordLength > Tagger.MaxLengthLimit) throw new ArgumentException($"{nameof(MaxWordLength)} must be at most {Tagger.MaxLengthLimit}; received {MaxWordLength}.", nameof(MaxWordLength));
        Positive(CharEmbeddingSize, nameof(CharEmbeddingSize));
        Positive(CharUnits, nameof(CharUnits));
        Positive(MaxWordLength, nameof(MaxWordLength));
        Positive(MaxCharacters, nameof(MaxCharacters));
        if (!Enum.IsDefined(Scheme)) throw new ArgumentException($"{nameof(Scheme)} {Scheme} is not a tag scheme.", nameof(Scheme));
        if (!(WordDropout >= 0f && WordDropout < 1f)) throw new ArgumentException($"{nameof(WordDropout)} must be in [0, 1); received {WordDropout}.", nameof(WordDropout));
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ArgumentException($"{nameof(Dropout)} must be in [0, 1); received {Dropout}.", nameof(Dropout));
        if (!(LearningRate > 0f && float.IsFinite(LearningRate))) throw new ArgumentException($"{nameof(LearningRate)} must be positive; received {LearningRate}.", nameof(LearningRate));
        if (Patience < 0) throw new ArgumentException($"{nameof(Patience)} must be 0 (off) or more; received {Patience}.", nameof(Patience));
        if (!(ValidationFraction >= 0f && ValidationFraction < 1f)) throw new ArgumentException($"{nameof(ValidationFraction)} must be in [0, 1); received {ValidationFraction}.", nameof(ValidationFraction));
    }
}
