// BlasPeer: OpenBLAS's cblas_sgemm from Debian's libopenblas0 package, loaded at run time with NativeLibrary
// (so a machine without it still runs the rest of the benchmark) and called through function pointers.
using System.Runtime.InteropServices;

namespace LstmSharp.Bench;

internal sealed unsafe class BlasPeer
{
    // CBLAS enum values (cblas.h).
    const int RowMajor = 101, NoTrans = 111, Trans = 112;

    /// <summary>Where Debian's libopenblas0-pthread / -openmp / -serial put the library (the first is the alternatives link).</summary>
    static readonly string[] s_candidates =
    [
        "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
        "libopenblas.so.0",
    ];

    readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    readonly delegate* unmanaged<int, void> _setThreads;
    readonly delegate* unmanaged<int> _getThreads;

    BlasPeer(string path, nint handle)
    {
        Path = path;
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(handle, "cblas_sgemm");
        _setThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(handle, "openblas_set_num_threads");
        _getThreads = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "openblas_get_num_threads");
        var coreName = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(handle, "openblas_get_corename");
        var config = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(handle, "openblas_get_config");
        CoreName = Marshal.PtrToStringAnsi((nint)coreName()) ?? "?";
        Config = Marshal.PtrToStringAnsi((nint)config()) ?? "?";
    }

    /// <summary>The library file actually loaded (symbolic links resolved).</summary>
    public string Path { get; }

    /// <summary>The kernel family OpenBLAS chose (openblas_get_corename), e.g. Haswell or SkylakeX.</summary>
    public string CoreName { get; }

    /// <summary>openblas_get_config: version and build options.</summary>
    public string Config { get; }

    public int Threads
    {
        get => _getThreads();
        set => _setThreads(value);
    }

    /// <summary>
    /// The OPENBLAS_CORETYPE to set and why: <paramref name="forced"/> (--blas-coretype) first; else none when the
    /// environment already sets one; else the widest kernels the CPU runs. OpenBLAS 0.3.21 picks its kernels from
    /// the CPUID model numbers it knows, so a newer CPU gets a generic old core (Prescott, SSE3 kernels, on an
    /// Emerald Rapids Xeon); the flags tell what the CPU can run. SkylakeX (AVX-512F/BW/VL) is the widest sgemm
    /// kernel 0.3.21 has: its Cooperlake adds only bf16 sbgemm kernels, and it has no SapphireRapids.
    /// </summary>
    public static (string? CoreType, string Source) ChooseCoreType(string? forced, string? environment, Machine machine)
    {
        if (forced is not null) return (forced, $"OPENBLAS_CORETYPE={forced} (set by --blas-coretype)");
        if (environment is not null) return (null, $"OPENBLAS_CORETYPE={environment} (from the environment)");
        if (machine.HasFlag("avx512f") && machine.HasFlag("avx512bw") && machine.HasFlag("avx512vl"))
            return ("SkylakeX", "OPENBLAS_CORETYPE=SkylakeX (chosen by the benchmark from the CPU flags avx512f, avx512bw, avx512vl; --blas-coretype overrides)");
        if (machine.HasFlag("avx2") && machine.HasFlag("fma"))
            return ("Haswell", "OPENBLAS_CORETYPE=Haswell (chosen by the benchmark from the CPU flags avx2, fma; --blas-coretype overrides)");
        return (null, "OPENBLAS_CORETYPE unset (no AVX2/FMA: OpenBLAS's own detection)");
    }

    /// <summary>
    /// Loads OpenBLAS, or returns null with the reason. <paramref name="coreType"/>, when given, is put into the
    /// process environment as OPENBLAS_CORETYPE first (OpenBLAS reads it once, when it is loaded).
    /// </summary>
    public static BlasPeer? TryLoad(string? coreType, out string why)
    {
        if (coreType is not null) NativeEnvironment.Set("OPENBLAS_CORETYPE", coreType);
        foreach (var candidate in s_candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                var path = File.Exists(candidate) ? new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate : candidate;
                why = "";
                return new BlasPeer(path, handle);
            }
        }
        why = "libopenblas.so.0 not found (apt-get install -y libopenblas0-pthread)";
        return null;
    }

    /// <summary>C [m,n] = A [m,k] · op(B), row-major; op(B) = B [k,n] or, with <paramref name="transB"/>, Bᵀ for B stored [n,k].</summary>
    public void Sgemm(float[] a, float[] b, bool transB, int m, int n, int k, float[] c)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            _sgemm(RowMajor, NoTrans, transB ? Trans : NoTrans, m, n, k, 1f, pa, k, pb, transB ? k : n, 0f, pc, n);
        }
    }
}
