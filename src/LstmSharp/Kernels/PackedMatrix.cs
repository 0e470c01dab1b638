// PackedMatrix: a GEMM's B operand packed once into micro-kernel panels, for products repeated with the same
// B (the recurrent weights serve every time step, and every pass until they change).
namespace LstmSharp.Kernels;

/// <summary>op(B) [k, n] in a kernel variant's own layout; only that variant reads it.</summary>
internal sealed class PackedMatrix
{
    /// <summary>The packed values (layout owned by the kernel variant that packed them).</summary>
    public float[] Data { get; private set; } = [];

    /// <summary>Rows of op(B) (the product's inner size).</summary>
    public int K { get; private set; }

    /// <summary>Columns of op(B) (the product's output width).</summary>
    public int N { get; private set; }

    /// <summary>Panel width: 32 (Vector512), 16 (Vector256), or N for the reference's dense copy.</summary>
    public int Nr { get; private set; }

    /// <summary>N rounded up to whole panels.</summary>
    public int PaddedN => (N + Nr - 1) / Nr * Nr;

    /// <summary>The kernel variant whose layout <see cref="Data"/> is in.</summary>
    public KernelVariant Variant { get; set; }

    /// <summary>What <see cref="Data"/> was packed from when a tensor's values were packed (<see cref="KernelSet.Pack(Tensor, int, int, bool, int, int, PackedMatrix)"/>); default otherwise.</summary>
    internal PackSource Source { get; set; }

    /// <summary>Sizes the storage for op(B) [k, n] in panels of <paramref name="nr"/> columns (reusing it when large enough).</summary>
    public void Resize(int k, int n, int nr)
    {
        Source = default;
        K = k;
        N = n;
        Nr = Math.Max(1, nr);
        var length = k * PaddedN;
        if (Data.Length < length) Data = new float[length];
    }
}

/// <summary>A tensor's storage at one revision, the part of it packed and how, by which kernel variant.</summary>
internal readonly record struct PackSource((object Storage, int Revision) Stamp, int Offset, int Ldb, bool TransB, int K, int N, KernelVariant Variant);
