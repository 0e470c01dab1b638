// PairBatches: teacher-forcing batches of sentence pairs — source ids, the target shifted right behind the start
// token, and the target followed by the end token — padded only to the longest pair of their batch (LengthBuckets:
// sorted by source, then target length).
using LstmSharp.Internals;

namespace LstmSharp.Translation;

internal sealed class PairBatches : IBatchSource
{
    readonly int[][] _sources, _targets;
    readonly LengthBuckets _buckets;
    readonly Tensor?[] _buffers = new Tensor?[3];

    /// <summary>Batches of at most <paramref name="batchSize"/> pairs; <paramref name="shuffleSeed"/> null keeps the order (validation).</summary>
    public PairBatches(int[][] sources, int[][] targets, int batchSize, int? shuffleSeed)
    {
        _sources = sources;
        _targets = targets;
        _buckets = new LengthBuckets(sources.Length, i => sources[i].Length, batchSize, shuffleSeed, i => targets[i].Length);
    }

    public int BatchCount => _buckets.Count;

    public void BeginEpoch(int epoch) => _buckets.BeginEpoch(epoch);

    public Batch GetBatch(int index)
    {
        var pairs = _buckets[index];
        int sourceLength = 1, targetLength = 1;
        foreach (var p in pairs) (sourceLength, targetLength) = (Math.Max(sourceLength, _sources[p].Length), Math.Max(targetLength, _targets[p].Length + 1));
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
