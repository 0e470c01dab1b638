// KernelEnvironment: what the math kernels run with on this machine — the variant and the thread count, from
// LSTMSHARP_KERNELS and LSTMSHARP_THREADS when set. A tool reads them up front to report a bad value before any work.
namespace LstmSharp.Kernels;

/// <summary>The kernel variant and thread count the library uses, as the machine and the environment set them.</summary>
public static class KernelEnvironment
{
    /// <summary>
    /// The variant every layer uses: <c>LSTMSHARP_KERNELS</c> when set, else the widest in <see cref="Supported"/>.
    /// Throws <see cref="EnvironmentVariableException"/> when the variable names no variant or one this machine cannot run.
    /// </summary>
    public static KernelVariant Variant => KernelSet.Default.Variant;

    /// <summary>
    /// Threads a kernel call may use: <c>LSTMSHARP_THREADS</c> when set, else the processor count. Read once, on first
    /// use. Throws <see cref="EnvironmentVariableException"/> when the variable is not a whole number ≥ 1.
    /// </summary>
    public static int Threads => WorkerPool.Threads;

    /// <summary>
    /// The variants this machine (and, for a NativeAOT binary, the instruction set it was compiled for) runs, the
    /// scalar reference first and the widest last.
    /// </summary>
    public static IReadOnlyList<KernelVariant> Supported => KernelSet.Supported;
}
