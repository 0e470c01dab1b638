// PairBatches: teacher-forcing batches of sentence pairs — source ids, the target shifted right behind the start
// token, and the target followed by the end token — padded only to the longest pair of their batch. Pairs are sorted
// by length (with a seeded shuffle first, so equal lengths mix) and cut into batches whose order is shuffled every
// epoch: far less padding than one global length, and every pair once per epoch.
using LstmSharp.Internals;

namespace LstmSharp.Translation;

internal sealed class PairBatches : IBatchSource
{
    readonly int[][] _sources, _targets;
    readonly int[][] _batches;      // pair indices of each batch
    readonly int[] _order;          // batch order of the current epoch
    readonly int? _seed;
    readonly Tensor?[] _buffers = new Tensor?[3];

    /// <summary>Batches of at most <paramref name="batchSize"/> pairs; <paramref name="shuffleSeed"/> null keeps the order (validation).</summary>
    public PairBatches(int[][] sources, int[][] targets, int batchSize, int? shuffleSeed)
    {
        _sources = sources;
        _targets = targets;
        _seed = shuffleSeed;
        var indices = Enumerable.Range(0, sources.Length).ToArray();
        if (shuffleSeed is { } seed) new Rng(seed).Shuffle<int>(indices);
        var sorted = indices.OrderBy(i => sources[i].Length).ThenBy(i => targets[i].Length).ToArray();   // stable: ties keep the shuffle
        _batches = sorted.Chunk(batchSize).ToArray();
        _order = Enumerable.Range(0, _batches.Length).ToArray();
    }

    public int BatchCount => _batches.Length;

    public void BeginEpoch(int epoch)
    {
        for (var i = 0; i < _order.Length; i++) _order[i] = i;
        if (_seed is { } seed) new Rng(seed * 1_000_003L + epoch + 1).Shuffle<int>(_order);   // a function of seed and epoch alone
    }

    public Batch GetBatch(int index)
    {
        var pairs = _batches[_order[index]];
        int sourceLength = Math.Max(1, pairs.Max(p => _sources[p].Length)), targetLength = pairs.Max(p => _targets[p].Length) + 1;
        var source = Tensor.Ensure(ref _buffers[0], [pairs.Length, sourceLength]).Span;
        var input = Tensor.Ensure(ref _buffers[1], [pairs.Length, targetLength]).Span;
        var output = Tensor.Ensure(ref _buffers[2], [pairs.Length, targetLength]).Span;
        source.Clear();
        input.Clear();
        output.Clear();
        for (var r = 0; r < pairs.Length; r++)
        {
            var (s, t) = (_sources[pairs[r]], _targets[pairs[r]]);
            if (s.Length == 0) source[r * sourceLength] = Data.Tokenizer.UnknownId;   // a source of no known tokens still has a step
            for (var i = 0; i < s.Length; i++) source[r * sourceLength + i] = s[i];
            input[r * targetLength] = Translator.StartId;
            for (var i = 0; i < t.Length; i++)
            {
                input[r * targetLength + i + 1] = t[i];
                output[r * targetLength + i] = t[i];
            }
            output[r * targetLength + t.Length] = Translator.EndId;
        }
        return new Batch([_buffers[0]!, _buffers[1]!], [_buffers[2]!]);
    }
}
