// Model.Activations: what happens at one edge inside the graph — the value a symbol had in the last forward pass, the
// gradient that reached it in the last backward pass, and a forward pass in which a symbol's value is replaced (as a
// PyTorch forward hook that returns a new output). Attribution methods (integrated gradients) are built on them.
namespace LstmSharp;

public partial class Model
{
    int _replacedSlot = -1;   // the slot whose value the running forward pass replaces, or -1
    Tensor? _replacement;     // its value [batch, …]

    /// <summary>
    /// Runs the model as <see cref="Forward(IReadOnlyList{Tensor}, bool, IReadOnlyList{Tensor?}?)"/>, except that the
    /// layers consuming <paramref name="replaced"/> (a symbol computed in this model or in a model inside it) receive
    /// <paramref name="value"/> instead of what its layer computed. The producing layer still runs, so the padding
    /// mask that goes with the symbol is the one it computes. A following <see cref="Backward"/> then gives, through
    /// <see cref="GradientAt"/>, ∂output/∂<paramref name="replaced"/> at <paramref name="value"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The symbol is not computed in this model (or is an input: pass the value as the input instead), or
    /// <paramref name="value"/> does not have the shape the layer gives, <c>[batch, …]</c>.
    /// </exception>
    public IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, Symbol replaced, Tensor value, bool training = false, IReadOnlyList<Tensor?>? masks = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var (owner, slot) = Locate(replaced, nameof(replaced));
        if (replaced is Input)
            throw new ArgumentException($"'{replaced.Name}' is an input of model '{owner.Name}'; pass its value as the input instead of replacing it.", nameof(replaced));
        owner._replacedSlot = slot;
        owner._replacement = value;
        try
        {
            return Forward(inputs, training, masks);
        }
        finally
        {
            owner._replacedSlot = -1;
            owner._replacement = null;
        }
    }

    /// <summary>The replacement for the value a layer call produced, after checking that it has the same shape.</summary>
    Tensor Replacement(Tensor produced)
    {
        var value = _replacement!;
        if (!value.HasShape(produced.Shape))
        {
            throw new ArgumentException(
                $"The value replacing '{SymbolAt(_replacedSlot).Name}' in model '{Name}' must have the shape the layer gives, [{Tensor.FormatShape(produced.Shape)}]; received [{Tensor.FormatShape(value.Shape)}].");
        }
        return value;
    }

    /// <summary>
    /// The value <paramref name="symbol"/> (an input, or computed in this model or in a model inside it) had in the
    /// last forward pass, <c>[batch, …]</c>: a layer's buffer, overwritten by the next pass (clone it to keep it).
    /// </summary>
    /// <exception cref="ArgumentException">The symbol is not part of this model.</exception>
    /// <exception cref="InvalidOperationException">No forward pass has run yet.</exception>
    public Tensor ValueAt(Symbol symbol)
    {
        var (owner, slot) = Locate(symbol, nameof(symbol));
        return owner._values[slot] ?? throw new InvalidOperationException($"Model '{Name}' has not run a forward pass yet; '{symbol.Name}' has no value.");
    }

    /// <summary>The padding mask <c>[batch, time]</c> that went with <paramref name="symbol"/> in the last forward pass (null when none).</summary>
    /// <exception cref="ArgumentException">The symbol is not part of this model.</exception>
    public Tensor? MaskAt(Symbol symbol)
    {
        var (owner, slot) = Locate(symbol, nameof(symbol));
        return owner._masks[slot];
    }

    /// <summary>
    /// ∂loss/∂<paramref name="symbol"/> from the last <see cref="Backward"/>, <c>[batch, …]</c> as its value; null where
    /// no gradient reached it (nothing downstream of it received one, or no backward pass has run). A buffer,
    /// overwritten by the next backward pass.
    /// </summary>
    /// <exception cref="ArgumentException">The symbol is not part of this model.</exception>
    public Tensor? GradientAt(Symbol symbol)
    {
        var (owner, slot) = Locate(symbol, nameof(symbol));
        return owner._grads[slot];
    }

    /// <summary>The model (this one, or one inside it) that computes <paramref name="symbol"/>, and its slot there.</summary>
    (Model Owner, int Slot) Locate(Symbol symbol, string parameter)
    {
        ArgumentNullException.ThrowIfNull(symbol, parameter);
        foreach (var model in AllLayers().OfType<Model>())
        {
            var i = Array.IndexOf(model._inputs, symbol);
            if (i >= 0) return (model, model._inputSlots[i]);
            if (symbol.Producer is { } producer && Array.IndexOf(model._nodes, producer) is var n and >= 0)
                return (model, model._nodeOutputSlots[n][symbol.Index]);
        }
        throw new ArgumentException($"'{symbol.Name}' {symbol.Describe()} is not computed in model '{Name}' or in a model inside it.", parameter);
    }
}
