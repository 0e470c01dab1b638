// SyncProgress: an IProgress that runs its action on the reporting thread, so lines print in order
// (Progress<T> posts to the thread pool).
namespace LstmSharp.Cli;

internal sealed class SyncProgress<T>(Action<T> action) : IProgress<T>
{
    public void Report(T value) => action(value);
}
