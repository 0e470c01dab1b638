// Tensor: a float32, row-major, contiguous block with an explicit shape. Views share storage.
using System.Globalization;
using LstmSharp.Internals;

namespace LstmSharp;

/// <summary>
/// A float32, row-major, contiguous tensor. The public layout is batch-first: sequences are
/// <c>[batch, time, features]</c>, token ids <c>[batch, time]</c>, states <c>[batch, units]</c>.
/// <see cref="Reshape"/> and <see cref="Slice(int)"/> return views that share storage with this tensor.
/// </summary>
public sealed partial class Tensor
{
    readonly float[] _data;
    readonly int _offset;
    readonly int[] _shape;
    readonly Revision _revision;   // shared by every view of _data

    Tensor(float[] data, int offset, int[] shape, Revision revision)
    {
        _data = data;
        _offset = offset;
        _shape = shape;
        _revision = revision;
        Length = ShapeLength(shape);
    }

    /// <summary>How many times the storage may have been written, counted by every writable access; views share it.</summary>
    sealed class Revision
    {
        public int Count;
    }

    /// <summary>Creates a tensor over <paramref name="data"/> (no copy) with the given shape.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the array length.</exception>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var length = ShapeLength(shape);
        if (length != data.Length)
        {
            throw new ArgumentException(
                $"Shape [{FormatShape(shape)}] holds {length} elements but the array has {data.Length}. " +
                "Pass a shape whose product equals the array length.", nameof(shape));
        }
        _data = data;
        _offset = 0;
        _shape = (int[])shape.Clone();
        _revision = new Revision();
        Length = length;
    }

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Total number of elements.</summary>
    public int Length { get; }

    /// <summary>
    /// The elements, row-major. Taking this span counts as a change of the values: layers that keep a weight packed for
    /// their kernels (the recurrent layers' W_hh and W_ih) pack it again on their next pass. Write through a span taken
    /// after the last pass that used the old values, as every optimizer and loader does; elements written through a span
    /// taken before such a pass, or through the array given to the constructor, are not seen by a packed copy.
    /// </summary>
    public Span<float> Span
    {
        get
        {
            _revision.Count++;
            return _data.AsSpan(_offset, Length);
        }
    }

    /// <summary>The elements for reading, without counting a change (see <see cref="Span"/>).</summary>
    internal ReadOnlySpan<float> Values => _data.AsSpan(_offset, Length);

    /// <summary>Identifies the storage and its current revision: equal stamps mean the values have not been written since.</summary>
    internal (object Storage, int Revision) Stamp => (_revision, _revision.Count);

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[axis < 0 ? _shape.Length + axis : axis];

    /// <summary>A new zero-filled tensor.</summary>
    public static Tensor Zeros(params int[] shape) => new(new float[ShapeLength(shape)], shape);

    /// <summary>A new tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Zeros(shape);
        t.Span.Fill(value);
        return t;
    }

    /// <summary>Copies a 2-D array into a new tensor of shape <c>[rows, cols]</c>.</summary>
    public static Tensor FromArray(float[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var t = Zeros(values.GetLength(0), values.GetLength(1));
        var i = 0;
        foreach (var v in values) t._data[i++] = v;
        return t;
    }

    /// <summary>Copies a 3-D array into a new tensor of shape <c>[batch, time, features]</c>.</summary>
    public static Tensor FromArray(float[,,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var t = Zeros(values.GetLength(0), values.GetLength(1), values.GetLength(2));
        var i = 0;
        foreach (var v in values) t._data[i++] = v;
        return t;
    }

    /// <summary>Element at the given indices (one per dimension).</summary>
    public float this[params int[] indices]
    {
        get => _data[_offset + FlatIndex(indices)];
        set
        {
            _revision.Count++;
            _data[_offset + FlatIndex(indices)] = value;
        }
    }

    /// <summary>A view with another shape over the same elements; one dimension may be -1 (inferred).</summary>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var resolved = (int[])shape.Clone();
        var infer = Array.IndexOf(resolved, -1);
        if (infer >= 0)
        {
            resolved[infer] = 1;
            var rest = ShapeLength(resolved);
            if (rest == 0 || Length % rest != 0)
                throw new ArgumentException($"Cannot reshape [{FormatShape(_shape)}] to [{FormatShape(shape)}].", nameof(shape));
            resolved[infer] = Length / rest;
        }
        if (ShapeLength(resolved) != Length)
        {
            throw new ArgumentException(
                $"Cannot reshape [{FormatShape(_shape)}] ({Length} elements) to [{FormatShape(shape)}] ({ShapeLength(resolved)} elements).",
                nameof(shape));
        }
        return new Tensor(_data, _offset, resolved, _revision);
    }

    /// <summary>A view of entry <paramref name="index"/> along the first axis (rank drops by one).</summary>
    public Tensor Slice(int index)
    {
        if (Rank == 0) throw new InvalidOperationException("Cannot slice a scalar tensor.");
        Guard.InRange(index, 0, _shape[0] - 1, nameof(index));
        var inner = _shape[1..];
        return new Tensor(_data, _offset + index * ShapeLength(inner), inner, _revision);
    }

    /// <summary>
    /// Returns <paramref name="buffer"/> if it has <paramref name="shape"/>, else a zero tensor of that shape (on the
    /// old storage when it is large enough, e.g. for the smaller last batch of an epoch), stored back in it.
    /// </summary>
    internal static Tensor Ensure(ref Tensor? buffer, ReadOnlySpan<int> shape)
        => buffer = buffer is not null && buffer.HasShape(shape) ? buffer : Reuse(buffer, shape);

    /// <summary>
    /// A zero-filled tensor of <paramref name="shape"/> that reuses <paramref name="previous"/>'s storage when it is
    /// large enough, so buffers sized for the largest batch serve smaller ones without allocating storage.
    /// </summary>
    internal static Tensor Reuse(Tensor? previous, ReadOnlySpan<int> shape)
    {
        var length = ShapeLength(shape);
        if (previous is null || previous._offset != 0 || previous._data.Length < length) return Zeros(shape.ToArray());
        previous._data.AsSpan(0, length).Clear();
        previous._revision.Count++;
        return new Tensor(previous._data, 0, shape.ToArray(), previous._revision);
    }

    /// <summary>A view of entries <paramref name="start"/> .. start+count−1 along the first axis (rank kept).</summary>
    public Tensor Slice(int start, int count)
    {
        if (Rank == 0) throw new InvalidOperationException("Cannot slice a scalar tensor.");
        if (start < 0 || count < 0 || start + count > _shape[0])
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows [{start}, {start + count}) are outside [0, {_shape[0]}) of a tensor [{FormatShape(_shape)}].");
        var shape = (int[])_shape.Clone();
        shape[0] = count;
        return new Tensor(_data, _offset + start * (_shape[0] == 0 ? 0 : Length / _shape[0]), shape, _revision);
    }

    /// <summary>The index, one per dimension, of flat element <paramref name="flat"/>, e.g. <c>[3, 7, 0]</c>.</summary>
    internal string IndexOf(int flat)
    {
        var index = new int[_shape.Length];
        for (var d = _shape.Length - 1; d >= 0; d--)
        {
            index[d] = _shape[d] == 0 ? 0 : flat % _shape[d];
            flat /= Math.Max(1, _shape[d]);
        }
        return $"[{FormatShape(index)}]";
    }

    /// <summary>A deep copy.</summary>
    public Tensor Clone()
    {
        var t = Zeros(_shape);
        Values.CopyTo(t.Span);
        return t;
    }

    /// <summary>Copies the elements into a new array.</summary>
    public float[] ToArray() => Values.ToArray();

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor; shapes must match.</summary>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!Shape.SequenceEqual(source.Shape))
        {
            throw new ArgumentException(
                $"Expected a tensor of shape [{FormatShape(_shape)}]; received [{FormatShape(source._shape)}].", nameof(source));
        }
        source.Values.CopyTo(Span);
    }

    /// <summary>True when the shape equals <paramref name="shape"/>.</summary>
    public bool HasShape(params ReadOnlySpan<int> shape) => Shape.SequenceEqual(shape);

    internal static string FormatShape(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (var i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        return string.Join(", ", parts);
    }

    internal static int ShapeLength(ReadOnlySpan<int> shape)
    {
        long length = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Dimensions must be non-negative; received [{FormatShape(shape)}].", nameof(shape));
            length *= d;
            if (length > Array.MaxLength) throw new ArgumentException($"Shape [{FormatShape(shape)}] is too large for one tensor.", nameof(shape));
        }
        return (int)length;
    }

    int FlatIndex(int[] indices)
    {
        if (indices.Length != _shape.Length)
        {
            throw new ArgumentException(
                $"Tensor of shape [{FormatShape(_shape)}] needs {_shape.Length} indices; received {indices.Length}.", nameof(indices));
        }
        var flat = 0;
        for (var d = 0; d < indices.Length; d++)
        {
            if ((uint)indices[d] >= (uint)_shape[d])
            {
                throw new ArgumentOutOfRangeException(nameof(indices),
                    $"Index {indices[d]} is out of range for dimension {d} of size {_shape[d]} (shape [{FormatShape(_shape)}]).");
            }
            flat = flat * _shape[d] + indices[d];
        }
        return flat;
    }
}
