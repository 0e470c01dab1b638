// Concatenate: joins its inputs along one axis (features by default), e.g. a word embedding and a character
// encoding of the same tokens, or the outputs of two recurrent branches.
namespace LstmSharp.Layers;

/// <summary>
/// Joins two or more inputs along <see cref="Axis"/>, as Keras's <c>Concatenate</c>: axes count the batch axis (so 1
/// is time for sequences) and negative axes count from the end; the default −1 joins features. Every other axis
/// must agree. Masks: joined along time when the time axis is concatenated, else combined by AND.
/// </summary>
public sealed class Concatenate : MergeLayer
{
    Tensor? _output, _timeMask;
    Tensor?[] _dInputs = [];
    int[] _widths = [];     // per input: its extent along the axis
    int _axis;              // the axis in the batch-first tensor, ≥ 1

    /// <summary>Concatenates along <paramref name="axis"/> (default −1, the last).</summary>
    public Concatenate(int axis = -1, string? name = null)
        : base(name)
    {
        if (axis == 0) throw new ArgumentOutOfRangeException(nameof(axis), axis, "Concatenate cannot join along the batch axis (0).");
        Axis = axis;
    }

    /// <summary>The axis joined, counting the batch axis as 0; negative counts from the end.</summary>
    public int Axis { get; }

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json) => json.WriteNumber("axis", Axis);

    private protected override int[] MergedShape(Symbol[] inputs)
    {
        var rank = inputs[0].Shape.Count + 1;
        var axis = Axis < 0 ? rank + Axis : Axis;
        if (axis < 1 || axis >= rank)
            throw new ArgumentException($"Concatenate '{Name}': axis {Axis} does not exist for inputs {inputs[0].Describe()} (axes 1 … {rank - 1}, or −1 … −{rank - 1}).");
        var shape = inputs[0].Shape.ToArray();
        for (var i = 1; i < inputs.Length; i++)
        {
            var other = inputs[i].Shape;
            if (other.Count != shape.Length)
                throw new ArgumentException($"Concatenate '{Name}' got {inputs[0].Describe()} and {inputs[i].Describe()}: the ranks differ.");
            for (var d = 0; d < shape.Length; d++)
            {
                if (d == axis - 1) continue;
                if (shape[d] >= 0 && other[d] >= 0 && shape[d] != other[d])
                {
                    var what = shape.Length >= 2 && d == 0 ? "the time axes" : $"axis {d + 1}";
                    throw new ArgumentException(
                        $"Concatenate '{Name}' got {inputs[0].Describe()} and {inputs[i].Describe()}: {what} differ ({shape[d]} and {other[d]}); " +
                        $"only the concatenation axis ({axis}) may differ.");
                }
                if (shape[d] < 0) shape[d] = other[d];
            }
            var width = other[axis - 1];
            var joined = shape[axis - 1] < 0 || width < 0 ? -1 : (long)shape[axis - 1] + width;
            if (joined > int.MaxValue) throw new ArgumentException($"Concatenate '{Name}': axis {axis} would hold {joined} values.");
            shape[axis - 1] = (int)joined;
        }
        return shape;
    }

    private protected override void CheckRuntime(Tensor first, Tensor other)
    {
        var ok = first.Rank == other.Rank;
        var axis = Axis < 0 ? first.Rank + Axis : Axis;
        for (var d = 0; ok && d < first.Rank; d++) ok = d == axis || first.Shape[d] == other.Shape[d];
        if (!ok)
            throw new ArgumentException($"Concatenate '{Name}' got [{Tensor.FormatShape(first.Shape)}] and [{Tensor.FormatShape(other.Shape)}]; only axis {axis} may differ.");
    }

    private protected override Tensor Merge(Tensor[] inputs)
    {
        var first = inputs[0];
        _axis = Axis < 0 ? first.Rank + Axis : Axis;
        if (_widths.Length != inputs.Length) (_widths, _dInputs) = (new int[inputs.Length], new Tensor?[inputs.Length]);
        var total = 0;
        for (var i = 0; i < inputs.Length; i++) total += _widths[i] = inputs[i].Dim(_axis);
        Span<int> shape = stackalloc int[first.Rank];
        first.Shape.CopyTo(shape);
        shape[_axis] = total;
        var y = Ensure(ref _output, shape);
        // Blocks: outer = product of the axes before, inner = product of those after; input i gives widthᵢ·inner per block.
        var inner = 1;
        for (var d = _axis + 1; d < first.Rank; d++) inner *= first.Dim(d);
        var outer = first.Length / (first.Dim(_axis) * inner);
        var dst = y.Span;
        var offset = 0;
        for (var i = 0; i < inputs.Length; i++)
        {
            var block = _widths[i] * inner;
            var src = inputs[i].Span;
            for (var o = 0; o < outer; o++) src.Slice(o * block, block).CopyTo(dst.Slice(o * total * inner + offset, block));
            offset += block;
        }
        return y;
    }

    private protected override void MergeBackward(Tensor dOutput, Tensor?[] dInputs)
    {
        var total = dOutput.Dim(_axis);
        var inner = 1;
        for (var d = _axis + 1; d < dOutput.Rank; d++) inner *= dOutput.Dim(d);
        var outer = dOutput.Length / (total * inner);
        var src = dOutput.Span;
        var offset = 0;
        Span<int> shape = stackalloc int[dOutput.Rank];
        dOutput.Shape.CopyTo(shape);
        for (var i = 0; i < dInputs.Length; i++)
        {
            shape[_axis] = _widths[i];
            var dx = Ensure(ref _dInputs[i], shape);
            var block = _widths[i] * inner;
            var dst = dx.Span;
            for (var o = 0; o < outer; o++) src.Slice(o * total * inner + offset, block).CopyTo(dst.Slice(o * block, block));
            offset += block;
            dInputs[i] = dx;
        }
    }

    /// <summary>Joining along time joins the masks along time too (an input without one is all real); else AND.</summary>
    private protected override Tensor? MergeMasks(Tensor[] inputs, Tensor?[] masks)
    {
        if (_axis != 1 || inputs[0].Rank < 3) return CombineMasks(masks);
        if (Array.TrueForAll(masks, m => m is null)) return null;
        var batch = inputs[0].Dim(0);
        var total = _widths.Sum();
        var mask = Ensure(ref _timeMask, batch, total).Span;
        var offset = 0;
        for (var i = 0; i < inputs.Length; i++)
        {
            for (var b = 0; b < batch; b++)
            {
                var row = mask.Slice(b * total + offset, _widths[i]);
                if (masks[i] is { } m) m.Span.Slice(b * _widths[i], _widths[i]).CopyTo(row);
                else row.Fill(1f);
            }
            offset += _widths[i];
        }
        return _timeMask;
    }
}
