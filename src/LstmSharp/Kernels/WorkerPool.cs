// WorkerPool: a fixed set of background threads that run the parts of one kernel call, so splitting a
// GEMM across cores allocates nothing (no closures, no tasks). One call at a time: a call that finds the
// pool busy (another thread's GEMM, or a nested call) simply runs its parts on the calling thread.
namespace LstmSharp.Kernels;

internal static unsafe class WorkerPool
{
    public const string EnvironmentVariable = "LSTMSHARP_THREADS";

    /// <summary>Threads a kernel may use: <c>LSTMSHARP_THREADS</c> if set, else the processor count.</summary>
    public static int Threads { get; } = ReadThreads();

    static int s_busy;
    static delegate*<void*, int, int, void> s_work;
    static void* s_state;
    static int s_parts;
    static Exception? s_error;
    static SemaphoreSlim[]? s_start;
    static int s_pending;

    static int ReadThreads()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value)) return Environment.ProcessorCount;
        if (!int.TryParse(value, out var threads) || threads < 1)
            throw new InvalidOperationException($"{EnvironmentVariable}='{value}' must be a whole number ≥ 1.");
        return threads;
    }

    /// <summary>Runs work(state, part, parts) for part = 0..parts-1, part 0 on the calling thread.</summary>
    public static void Run(delegate*<void*, int, int, void> work, void* state, int parts)
    {
        parts = Math.Min(parts, Threads);
        if (parts <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (var p = 0; p < parts; p++) work(state, p, parts);
            return;
        }
        try
        {
            EnsureStarted();
            s_work = work;
            s_state = state;
            s_parts = parts;
            s_error = null;
            Volatile.Write(ref s_pending, parts - 1);
            for (var w = 1; w < parts; w++) s_start![w - 1].Release();
            work(state, 0, parts);
            // The parts are balanced, so the others finish about when this one does: spin (never sleeping, never
            // allocating) rather than block.
            var spinner = default(SpinWait);
            while (Volatile.Read(ref s_pending) > 0) spinner.SpinOnce(sleep1Threshold: -1);
            if (s_error is { } error) throw new AggregateException("A kernel failed on a worker thread.", error);
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    static void EnsureStarted()
    {
        if (s_start is not null) return;
        var start = new SemaphoreSlim[Threads - 1];
        for (var w = 1; w < Threads; w++)
        {
            start[w - 1] = new SemaphoreSlim(0);
            var thread = new Thread(Loop) { IsBackground = true, Name = $"LstmSharp worker {w}" };
            thread.Start(w);
        }
        s_start = start;
    }

    static void Loop(object? index)
    {
        var w = (int)index!;
        while (true)
        {
            while (s_start is null) Thread.Yield();
            s_start[w - 1].Wait();
            try
            {
                if (w < s_parts) s_work(s_state, w, s_parts);
            }
            catch (Exception e)
            {
                s_error = e;
            }
            finally
            {
                Interlocked.Decrement(ref s_pending);
            }
        }
    }
}
