// LengthBuckets: the batches of a set of sequences padded only to their batch's longest — after a seeded shuffle (so
// equal lengths mix) the sequences are sorted by length and cut into batches, and the batch order is shuffled every
// epoch as a function of seed and epoch alone: far less padding than one global length, every sequence once per epoch.
namespace LstmSharp.Internals;

internal sealed class LengthBuckets
{
    readonly int[][] _batches;      // sequence indices of each batch
    readonly int[] _order;          // batch order of the current epoch
    readonly int? _seed;

    /// <summary>
    /// Batches of at most <paramref name="batchSize"/> of <paramref name="count"/> sequences, sorted by <paramref name="length"/>
    /// then <paramref name="thenBy"/>; <paramref name="seed"/> null keeps the order (validation, prediction).
    /// </summary>
    public LengthBuckets(int count, Func<int, int> length, int batchSize, int? seed, Func<int, int>? thenBy = null)
    {
        _seed = seed;
        var indices = Enumerable.Range(0, count).ToArray();
        if (seed is { } s) new Rng(s).Shuffle<int>(indices);
        var sorted = indices.OrderBy(length).ThenBy(thenBy ?? (_ => 0));   // stable: ties keep the shuffle
        _batches = [.. sorted.Chunk(batchSize)];
        _order = [.. Enumerable.Range(0, _batches.Length)];
    }

    public int Count => _batches.Length;

    /// <summary>The seed the order was shuffled with (null: kept).</summary>
    public int? Seed => _seed;

    public void BeginEpoch(int epoch)
    {
        for (var i = 0; i < _order.Length; i++) _order[i] = i;
        if (_seed is { } seed) new Rng(seed * 1_000_003L + epoch + 1).Shuffle<int>(_order);
    }

    /// <summary>The sequences of the epoch's batch <paramref name="index"/>.</summary>
    public int[] this[int index] => _batches[_order[index]];
}
