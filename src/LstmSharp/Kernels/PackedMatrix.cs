// PackedMatrix: a GEMM's B operand packed once into micro-kernel panels, for products repeated with the same
// B (the recurrent weights, once per forward or backward pass, serve every time step).
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

    /// <summary>Sizes the storage for op(B) [k, n] in panels of <paramref name="nr"/> columns (reusing it when large enough).</summary>
    public void Resize(int k, int n, int nr)
    {
        K = k;
        N = n;
        Nr = Math.Max(1, nr);
        var length = k * PaddedN;
        if (Data.Length < length) Data = new float[length];
    }
}
