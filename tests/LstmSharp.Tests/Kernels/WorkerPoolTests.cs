// WorkerPool: every part of every call runs exactly once, whether the workers are spinning (calls microseconds
// apart) or asleep (calls after a pause longer than the spin), and concurrent callers fall back safely.
using LstmSharp.Kernels;
using Xunit;

namespace LstmSharp.Tests.Kernels;

public sealed unsafe class WorkerPoolTests
{
    static void Count(void* state, int part, int parts) => Interlocked.Increment(ref ((int*)state)[part]);

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
}
