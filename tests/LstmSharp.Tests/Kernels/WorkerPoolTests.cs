// WorkerPool: every part of every call runs exactly once, whether the workers are spinning (calls microseconds
// apart) or asleep (calls after a pause longer than the spin), concurrent callers fall back safely, and a call whose
// own part throws still waits for the others.
using LstmSharp.Kernels;
using Xunit;

namespace LstmSharp.Tests.Kernels;

public sealed unsafe class WorkerPoolTests
{
    static void Count(void* state, int part, int parts) => Interlocked.Increment(ref ((int*)state)[part]);

    [Theory]
    [InlineData(null, -1)]
    [InlineData("", -1)]
    [InlineData("1", 1)]
    [InlineData(" 3 ", 3)]
    public void ParseThreads_UnsetOrWholeNumber_GivesTheCount(string? value, int expected)
        => Assert.Equal(expected == -1 ? Environment.ProcessorCount : expected, WorkerPool.ParseThreads(value));

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("+2")]
    [InlineData("2.5")]
    [InlineData("99999999999")]
    public void ParseThreads_NotAWholeNumberAtLeastOne_NamesVariableValueAndWhatIsAccepted(string value)
    {
        var e = Assert.Throws<EnvironmentVariableException>(() => WorkerPool.ParseThreads(value));
        Assert.Equal("LSTMSHARP_THREADS", e.Variable);
        Assert.Equal(value, e.Value);
        Assert.StartsWith($"LSTMSHARP_THREADS='{value}' is not a thread count; accepted: a whole number ≥ 1", e.Message, StringComparison.Ordinal);
        Assert.Contains($"or unset for one per core ({Environment.ProcessorCount} here)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SpinningAndSleepingWorkers_RunEveryPartOnce()
    {
        var parts = WorkerPool.Threads;
        var counts = new int[parts];
        fixed (int* p = counts)
        {
            for (var call = 0; call < 400; call++)
            {
                WorkerPool.Run(&Count, p, parts);
                if (call % 50 == 0) Thread.Sleep(2); // longer than the spin: the workers sleep and must be woken
            }
        }
        Assert.All(counts, c => Assert.Equal(400, c));
    }

    [Fact]
    public void Run_ConcurrentCallers_EachRunsAllItsParts()
    {
        var parts = WorkerPool.Threads;
        var totals = new int[4];
        Parallel.For(0, 4, caller =>
        {
            var counts = new int[parts];
            fixed (int* p = counts)
            {
                for (var call = 0; call < 200; call++) WorkerPool.Run(&Count, p, parts);
            }
            totals[caller] = counts.Sum();
        });
        Assert.All(totals, t => Assert.Equal(200 * parts, t));
    }

    static void ThrowOnCaller(void* state, int part, int parts)
    {
        if (part == 0) throw new InvalidOperationException("part 0 failed");
        Thread.Sleep(20);   // the other parts are still reading the caller's state when part 0 fails
        Volatile.Write(ref ((int*)state)[part], 1);
    }

    [Fact]
    public void Run_CallerPartThrows_WaitsForTheOtherPartsBeforeItRethrows()
    {
        var parts = WorkerPool.Threads;
        if (parts < 2) return;   // one thread: there are no other parts
        var done = new int[parts];
        var failed = false;
        fixed (int* p = done)
        {
            try
            {
                WorkerPool.Run(&ThrowOnCaller, p, parts);
            }
            catch (InvalidOperationException)
            {
                failed = true;
            }
            for (var part = 1; part < parts; part++) Assert.Equal(1, Volatile.Read(ref done[part]));
        }
        Assert.True(failed);
        var counts = new int[parts];
        fixed (int* p = counts) WorkerPool.Run(&Count, p, parts);
        Assert.All(counts, c => Assert.Equal(1, c));
    }

    static void RunThrowingCallInside(void* state, int part, int parts)
    {
        if (part != 0) return;
        try
        {
            WorkerPool.Run(&ThrowOnCaller, state, parts);   // the pool is busy with this call: the parts run on this thread
        }
        catch (InvalidOperationException)
        {
            ((int*)state)[0] = 7;
        }
    }

    [Fact]
    public void Run_OnTheCallersThread_StillRunsEveryPartWhenOneThrows()
    {
        var parts = WorkerPool.Threads;
        if (parts < 2) return;
        var done = new int[parts];
        fixed (int* p = done) WorkerPool.Run(&RunThrowingCallInside, p, parts);
        Assert.Equal(7, done[0]);   // the exception reached the caller…
        for (var part = 1; part < parts; part++) Assert.Equal(1, done[part]);   // …after every other part ran, as on the pool
    }
}
