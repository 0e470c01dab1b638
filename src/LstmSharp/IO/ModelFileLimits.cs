// ModelFileLimits: how much a model file may make the loader and the loaded model allocate, so that a damaged or
// hostile file is refused with a clear error instead of exhausting memory.
namespace LstmSharp.IO;

/// <summary>
/// Bounds on what a model file may ask for. Parameters are always bounded by the data the file holds (4 bytes a
/// value); what the file sizes without holding it — input lengths, forecast horizons, the work buffers of a forward
/// pass — is bounded here. Raise <see cref="MaxWorkBytes"/> for a model that really needs more.
/// </summary>
public sealed record ModelFileLimits
{
    /// <summary>The limits used when none are given: 1 GiB of work buffers per sample.</summary>
    public static ModelFileLimits Default { get; } = new();

    /// <summary>
    /// Most bytes the work buffers of one sample (one text, one forecast origin) may take: every layer's outputs
    /// and recurrent caches for the stored input length, and a forecast's steps. Batches are cut to stay within it.
    /// Default 1 GiB.
    /// </summary>
    public long MaxWorkBytes { get; init; } = 1L << 30;

    internal void Validate() => Internals.Guard.Option(MaxWorkBytes > 0, nameof(MaxWorkBytes), MaxWorkBytes, "positive");

    /// <summary>Samples per batch that keep a batch within <see cref="MaxWorkBytes"/>: at most <paramref name="preferred"/>, at least 1.</summary>
    internal int BatchSize(long bytesPerSample, int preferred) => (int)Math.Clamp(MaxWorkBytes / Math.Max(bytesPerSample, 1), 1, preferred);
}
