// MergeMode: how Bidirectional combines its forward and backward outputs.
namespace LstmSharp.Layers;

/// <summary>How <see cref="Bidirectional"/> combines the two directions' outputs.</summary>
public enum MergeMode
{
    /// <summary>Forward then backward along the last axis (2·units wide). Keras's default.</summary>
    Concat,
    /// <summary>Element-wise sum.</summary>
    Sum,
    /// <summary>Element-wise product.</summary>
    Multiply,
    /// <summary>Element-wise mean.</summary>
    Average,
}
