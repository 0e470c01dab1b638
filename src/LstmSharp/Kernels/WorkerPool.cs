// WorkerPool: a fixed set of background threads that run the parts of one kernel call, so splitting a
// GEMM across cores allocates nothing (no closures, no tasks). Between calls a worker spins for a short
// while before it sleeps: a recurrent layer issues one GEMM per time step, microseconds apart, and waking a
// sleeping thread costs more than such a GEMM. For the first 50 µs it spins on the pause instruction alone
// (Thread.SpinWait(1)): SpinWait's yields and longer spins left a call waiting microseconds for its worker, which on a
// one-row step doubled the time (bench experiment on Zen 5). After that it yields too, so a machine with more
// runnable threads than cores is not held up by idle spinning; the caller waiting for its workers does the same.
// One call at a time: a call that finds the pool busy
// (another thread's GEMM, or a nested call) runs its parts on the calling thread.
using System.Diagnostics;

namespace LstmSharp.Kernels;

internal static unsafe class WorkerPool
{
    public const string EnvironmentVariable = "LSTMSHARP_THREADS";

    /// <summary>How long an idle worker spins for the next call before it sleeps.</summary>
    static readonly long s_spinTicks = Stopwatch.Frequency / 5000; // 200 µs

    /// <summary>How long a waiting thread spins on pause alone before it starts yielding.</summary>
    static readonly long s_pauseTicks = Stopwatch.Frequency / 20000; // 50 µs

    static int s_threads;   // 0 until first read

    /// <summary>
    /// Threads a kernel may use: <c>LSTMSHARP_THREADS</c> if set, else the processor count. Read on first use rather than
    /// in the type initializer, so a bad value throws its own <see cref="EnvironmentVariableException"/> (each time).
    /// </summary>
    public static int Threads => s_threads > 0 ? s_threads : s_threads = ParseThreads(Environment.GetEnvironmentVariable(EnvironmentVariable));

    static int s_busy;
    static int s_generation;     // incremented once per call; workers watch it
    static int s_pending;        // workers still running the current call
    static delegate*<void*, int, int, void> s_work;
    static void* s_state;
    static int s_parts;
    static Exception? s_error;
    static readonly object s_gate = new();   // sleeping workers wait on it for the next generation
    static int s_sleepers;       // workers inside (or about to enter) the wait on s_gate
    static bool s_started;
    static int s_startGeneration;

    /// <summary>The thread count <c>LSTMSHARP_THREADS</c>=<paramref name="value"/> asks for; unset (null, blank) is the processor count.</summary>
    public static int ParseThreads(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Environment.ProcessorCount;
        if (!int.TryParse(value.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var threads) || threads < 1)
        {
            throw new EnvironmentVariableException(EnvironmentVariable, value,
                $"{EnvironmentVariable}='{value}' is not a thread count; accepted: a whole number ≥ 1 (threads for the math kernels), or unset for one per core ({Environment.ProcessorCount} here).");
        }
        return threads;
    }

    /// <summary>Runs work(state, part, parts) for part = 0..parts-1, part 0 on the calling thread.</summary>
    public static void Run(delegate*<void*, int, int, void> work, void* state, int parts)
    {
        parts = Math.Min(parts, Threads);
        if (parts <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            // On this thread (one part, or the pool serves another call): every part runs, as on the pool, even when
            // one throws; the first exception is rethrown after the last part.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
            for (var p = 0; p < parts; p++)
            {
                try
                {
                    work(state, p, parts);
                }
                catch (Exception e)
                {
                    failure ??= System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
                }
            }
            failure?.Throw();
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
            Interlocked.Increment(ref s_generation);
            // Both sides use full fences (Interlocked): a worker either sees the new generation before it waits, or is
            // counted in s_sleepers here and is woken. It re-checks the generation under the lock, so no wake is lost.
            if (Volatile.Read(ref s_sleepers) > 0)
                lock (s_gate) Monitor.PulseAll(s_gate);
            try
            {
                work(state, 0, parts);
            }
            finally
            {
                // Even when this part throws, the others still read the state (and the caller's stack): wait for them.
                // The parts are balanced, so they finish about when this one does: spin (never sleeping, never allocating).
                var yieldFrom = Stopwatch.GetTimestamp() + s_pauseTicks;
                var spinner = default(SpinWait);
                while (Volatile.Read(ref s_pending) > 0)
                {
                    if (Stopwatch.GetTimestamp() < yieldFrom) Thread.SpinWait(1);
                    else spinner.SpinOnce(sleep1Threshold: -1);
                }
            }
            if (s_error is { } error) throw new AggregateException("A kernel failed on a worker thread.", error);
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    static void EnsureStarted()
    {
        if (s_started) return;
        s_started = true;
        // Workers start watching from the current generation: a worker whose thread starts only after the
        // first call was announced must still see that call as new.
        s_startGeneration = Volatile.Read(ref s_generation);
        for (var w = 1; w < Threads; w++)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"LstmSharp worker {w}" };
            thread.Start(w);
        }
    }

    static void Loop(object? index)
    {
        var w = (int)index!;
        var seen = s_startGeneration;
        while (true)
        {
            seen = WaitForCall(seen);
            if (w >= s_parts) continue;
            try
            {
                s_work(s_state, w, s_parts);
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

    /// <summary>Returns the generation of the first call newer than <paramref name="seen"/>: spinning for it first, then sleeping.</summary>
    static int WaitForCall(int seen)
    {
        var start = Stopwatch.GetTimestamp();
        var spinner = default(SpinWait);
        int generation;
        while ((generation = Volatile.Read(ref s_generation)) == seen)
        {
            var waited = Stopwatch.GetTimestamp() - start;
            if (waited < s_pauseTicks)
            {
                Thread.SpinWait(1);
                continue;
            }
            if (waited < s_spinTicks)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                continue;
            }
            Interlocked.Increment(ref s_sleepers);
            lock (s_gate)
            {
                while ((generation = Volatile.Read(ref s_generation)) == seen) Monitor.Wait(s_gate);
            }
            Interlocked.Decrement(ref s_sleepers);
            break;
        }
        return generation;
    }
}
