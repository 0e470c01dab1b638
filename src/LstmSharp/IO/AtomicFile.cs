// AtomicFile: a file replaced only once its new contents are completely on disk — written under a temporary name in
// the same folder, flushed, then renamed over the old one — so a crash, a full disk or a size limit never leaves a
// damaged file where a good one was. Model files, safetensors and ONNX exports are all written this way.
namespace LstmSharp.IO;

internal static class AtomicFile
{
    /// <summary>How old a temporary file must be to count as left by a killed process.</summary>
    public static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromHours(1);

    /// <summary>
    /// Writes <paramref name="path"/> with <paramref name="write"/> atomically. On any failure the temporary file is
    /// removed and an existing file at <paramref name="path"/> is left as it was; temporary files that killed writers
    /// left beside it (older than <see cref="StaleTemporaryAge"/>) are deleted first.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written (disk full, file size limit, read-only folder); the message names it.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        SweepStaleTemporaries(folder, Path.GetFileName(path));
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or ArgumentOutOfRangeException)
        {
            // Disk full, a read-only folder, or the file size limit (ulimit -f: .NET reports EFBIG as an
            // ArgumentOutOfRangeException, "Specified file length was too large"): say which file could not be written.
            TryDelete(temporary);
            throw new IOException($"{path}: cannot write the file ({e.Message}); an existing file there is left as it was.", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Deletes the temporary files of earlier writes of <paramref name="name"/> that a killed process left behind:
    /// those not written to for <see cref="StaleTemporaryAge"/> (a live writer's file is fresh, so it is kept).
    /// </summary>
    static void SweepStaleTemporaries(string folder, string name)
    {
        if (!Directory.Exists(folder)) return;
        var cutoff = DateTime.UtcNow - StaleTemporaryAge;
        foreach (var file in Directory.EnumerateFiles(folder, $".{name}.{new string('?', 32)}.tmp"))
            if (File.GetLastWriteTimeUtc(file) < cutoff) TryDelete(file);
    }

    static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
