// TagBatches: batches of sentences — word ids [batch, time] and tag ids [batch, time] — padded only to the longest
// sentence of their batch (sentences sorted by length after a seeded shuffle), the batch order shuffled every epoch,
// and, in training, the words seen once read as [UNK] with a probability (word dropout), a function of seed, epoch and batch.
using LstmSharp.Internals;

namespace LstmSharp.Tagging;

internal sealed class TagBatches : IBatchSource
{
    readonly int[][] _words, _tags;
    readonly int[][] _batches;
    readonly int[] _order;
    readonly int? _seed;
    readonly bool[] _rare;          // per word id: seen once in training
    readonly float _wordDropout;
    readonly Tensor?[] _buffers = new Tensor?[2];
    int _epoch;

    /// <summary>Batches of at most <paramref name="batchSize"/> sentences; <paramref name="seed"/> null keeps the order and the words (validation).</summary>
    public TagBatches(int[][] words, int[][] tags, int batchSize, int? seed, bool[] rare, float wordDropout)
    {
        (_words, _tags, _seed, _rare, _wordDropout) = (words, tags, seed, rare, wordDropout);
        var indices = Enumerable.Range(0, words.Length).ToArray();
        if (seed is { } s) new Rng(s).Shuffle<int>(indices);
        _batches = [.. indices.OrderBy(i => words[i].Length).Chunk(batchSize)];   // stable: ties keep the shuffle
        _order = [.. Enumerable.Range(0, _batches.Length)];
    }

    public int BatchCount => _batches.Length;

    public void BeginEpoch(int epoch)
    {
        _epoch = epoch;
        for (var i = 0; i < _order.Length; i++) _order[i] = i;
        if (_seed is { } seed) new Rng(seed * 1_000_003L + epoch + 1).Shuffle<int>(_order);
    }

    public Batch GetBatch(int index)
    {
        var rows = _batches[_order[index]];
        var length = rows.Max(r => _words[r].Length);
        var words = Tensor.Ensure(ref _buffers[0], [rows.Length, length]).Span;
        var tags = Tensor.Ensure(ref _buffers[1], [rows.Length, length]).Span;
        words.Clear();
        tags.Clear();
        var drop = _seed is { } seed && _wordDropout > 0f ? new Rng(((seed * 1_000_003L) + _epoch) * 1_000_003L + index) : null;
        for (var r = 0; r < rows.Length; r++)
        {
            var (w, t) = (_words[rows[r]], _tags[rows[r]]);
            for (var i = 0; i < w.Length; i++)
            {
                var id = w[i];
                if (drop is not null && _rare[id] && drop.NextDouble() < _wordDropout) id = WordVocabulary.UnknownId;
                words[r * length + i] = id;
                tags[r * length + i] = t[i];
            }
        }
        return new Batch([_buffers[0]!], [_buffers[1]!]);
    }
}
