// TagBatches: batches of sentences — word ids [batch, time], with character features also the characters of each word
// [batch, time, chars], and tag ids [batch, time] — padded only to the longest sentence (and word) of their batch
// (LengthBuckets), and, in training, the words seen once read as [UNK] with a probability (word dropout; their
// characters stay), a function of seed, epoch and batch.
using LstmSharp.Internals;

namespace LstmSharp.Tagging;

internal sealed class TagBatches : IBatchSource
{
    readonly int[][] _words;
    readonly int[][]? _tags;
    readonly int[][][]? _chars;     // per sentence, per word: character ids
    readonly LengthBuckets _buckets;
    readonly bool[]? _rare;         // per word id: seen once in training
    readonly float _wordDropout;
    readonly Tensor?[] _buffers = new Tensor?[3];
    readonly Tensor[] _inputs;
    int _epoch;

    /// <summary>
    /// Batches of at most <paramref name="batchSize"/> sentences; <paramref name="seed"/> null keeps the order and the words
    /// (validation, tagging). <paramref name="chars"/> null: word ids only. <paramref name="tags"/> null: no targets (tagging).
    /// </summary>
    public TagBatches(int[][] words, int[][][]? chars, int[][]? tags, int batchSize, int? seed, bool[]? rare = null, float wordDropout = 0f)
    {
        (_words, _chars, _tags, _rare, _wordDropout) = (words, chars, tags, rare, wordDropout);
        _buckets = new LengthBuckets(words.Length, i => words[i].Length, batchSize, seed);
        _inputs = new Tensor[chars is null ? 1 : 2];
    }

    public int BatchCount => _buckets.Count;

    /// <summary>The sentences of batch <paramref name="index"/> in this epoch's order, in the order of its rows.</summary>
    public IReadOnlyList<int> Rows(int index) => _buckets[index];

    public void BeginEpoch(int epoch)
    {
        _epoch = epoch;
        _buckets.BeginEpoch(epoch);
    }

    public Batch GetBatch(int index)
    {
        var rows = _buckets[index];
        var length = 0;
        foreach (var r in rows) length = Math.Max(length, _words[r].Length);
        var words = Tensor.Ensure(ref _buffers[0], [rows.Length, length]).Span;
        words.Clear();
        var drop = _buckets.Seed is { } seed && _wordDropout > 0f && _rare is not null ? new Rng(((seed * 1_000_003L) + _epoch) * 1_000_003L + index) : null;
        for (var r = 0; r < rows.Length; r++)
        {
            var w = _words[rows[r]];
            for (var i = 0; i < w.Length; i++)
            {
                var id = w[i];
                if (drop is not null && _rare![id] && drop.NextDouble() < _wordDropout) id = WordVocabulary.UnknownId;
                words[r * length + i] = id;
            }
        }
        _inputs[0] = _buffers[0]!;
        if (_chars is not null) _inputs[1] = Characters(rows, length);
        if (_tags is null) return new Batch(_inputs, []);
        var tags = Tensor.Ensure(ref _buffers[1], [rows.Length, length]).Span;
        tags.Clear();
        for (var r = 0; r < rows.Length; r++)
        {
            var t = _tags[rows[r]];
            for (var i = 0; i < t.Length; i++) tags[r * length + i] = t[i];
        }
        return new Batch(_inputs, [_buffers[1]!]);
    }

    /// <summary>The character ids [rows, length, longest word of the batch] (0 pads each word and the padded words).</summary>
    Tensor Characters(int[] rows, int length)
    {
        var longest = 1;
        foreach (var r in rows)
            foreach (var word in _chars![r]) longest = Math.Max(longest, word.Length);
        var chars = Tensor.Ensure(ref _buffers[2], [rows.Length, length, longest]);
        var span = chars.Span;
        span.Clear();
        for (var r = 0; r < rows.Length; r++)
        {
            var sentence = _chars![rows[r]];
            for (var i = 0; i < sentence.Length; i++)
                for (var c = 0; c < sentence[i].Length; c++) span[(r * length + i) * longest + c] = sentence[i][c];
        }
        return chars;
    }
}
