// Sequential: a stack of layers built from an input shape given up front; forward, backward and parameters.
// Training (Compile, Fit, Evaluate, Predict) is in Sequential.Fit.cs.
using System.Globalization;
using System.Text;
using LstmSharp.Layers;

namespace LstmSharp;

/// <summary>
/// Layers applied one after another, as Keras's <c>Sequential</c>. Every layer is built when the model is
/// created, from <see cref="Input"/>, so <see cref="Summary"/> and parameter counts are known at once.
/// </summary>
public sealed partial class Sequential
{
    readonly Layer[] _layers;
    readonly Parameter[] _parameters;

    /// <summary>Builds <paramref name="layers"/> for <paramref name="input"/>, initialising weights from seed 0.</summary>
    public Sequential(Input input, params Layer[] layers)
        : this(0, input, layers)
    {
    }

    /// <summary>Builds <paramref name="layers"/> for <paramref name="input"/>, initialising weights from <paramref name="seed"/>.</summary>
    public Sequential(int seed, Input input, params Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0) throw new ArgumentException("A Sequential model needs at least one layer.", nameof(layers));
        _layers = (Layer[])layers.Clone();
        int[] shape = [.. input.Shape];
        InputShape = shape;
        var names = new Dictionary<string, int>();
        for (var i = 0; i < _layers.Length; i++)
        {
            var layer = _layers[i] ?? throw new ArgumentException($"Layer {i} is null.", nameof(layers));
            if (layer.IsBuilt) throw new ArgumentException($"Layer '{layer.Name}' is already built; a layer can belong to one model only.", nameof(layers));
            var count = names.GetValueOrDefault(layer.Name);
            names[layer.Name] = count + 1;
            if (count > 0) layer.Name = $"{layer.Name}_{count}";
            try
            {
                shape = layer.Build(shape, seed + i);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Layer {i} ('{layer.Name}') cannot take the output of the layer before it, [batch, {Tensor.FormatShape(shape)}]: {e.Message}", nameof(layers), e);
            }
        }
        OutputShape = shape;
        _parameters = _layers.SelectMany(l => l.Parameters).ToArray();
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>One sample's input shape (no batch axis; -1 = any size).</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>One sample's output shape (no batch axis).</summary>
    public IReadOnlyList<int> OutputShape { get; }

    /// <summary>Every trainable parameter, layer by layer.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Number of trainable values.</summary>
    public long ParameterCount => _parameters.Sum(p => (long)p.Value.Length);

    /// <summary>
    /// Runs every layer, passing the padding mask along (from <paramref name="mask"/> <c>[batch, time]</c>, an
    /// <see cref="Embedding"/> or a <see cref="Masking"/> layer). The result is a buffer of the last layer,
    /// overwritten by the next call; its mask is <see cref="OutputMask"/>.
    /// </summary>
    public Tensor Forward(Tensor x, bool training = false, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckInput(x, nameof(x));
        for (var i = 0; i < _layers.Length; i++)
        {
            x = _layers[i].Forward(x, training, mask);
            mask = _layers[i].OutputMask;
        }
        OutputMask = mask;
        return x;
    }

    /// <summary>The padding mask <c>[batch, time]</c> of the last forward's output, when it keeps a masked time axis.</summary>
    public Tensor? OutputMask { get; private set; }

    /// <summary>Back-propagates ∂loss/∂output through every layer, adding parameter gradients; returns ∂loss/∂input.</summary>
    public Tensor Backward(Tensor dOutput)
    {
        for (var i = _layers.Length - 1; i >= 0; i--) dOutput = _layers[i].Backward(dOutput);
        return dOutput;
    }

    /// <summary>
    /// Returns every stateful recurrent layer (<see cref="RnnOptions.Stateful"/>, also inside a
    /// <see cref="TimeDistributed"/>) to a zero state, as Keras's <c>reset_states()</c>: call it before a new set of
    /// streams, e.g. before validation or before generating from a prompt.
    /// </summary>
    public void ResetStates()
    {
        foreach (var layer in _layers) layer.ResetStates();
    }

    /// <summary>Sets every parameter gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (var p in _parameters) p.Gradient.Span.Clear();
    }

    /// <summary>Copies of every parameter, keyed <c>layer.parameter</c> (e.g. <c>lstm.weight_ih_l0</c>).</summary>
    public IReadOnlyDictionary<string, Tensor> GetWeights()
    {
        var weights = new Dictionary<string, Tensor>();
        foreach (var layer in _layers)
            foreach (var p in layer.Parameters) weights[$"{layer.Name}.{p.Name}"] = p.Value.Clone();
        return weights;
    }

    /// <summary>
    /// Sets parameters from <paramref name="weights"/> (keys as in <see cref="GetWeights"/>). Every key must name
    /// a parameter and every shape must match; nothing changes unless all of them do.
    /// </summary>
    public void SetWeights(IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var targets = new Dictionary<string, Parameter>();
        foreach (var layer in _layers)
            foreach (var p in layer.Parameters) targets[$"{layer.Name}.{p.Name}"] = p;
        foreach (var (name, value) in weights)
        {
            if (!targets.TryGetValue(name, out var p))
                throw new ArgumentException($"The model has no parameter '{name}'; it has: {string.Join(", ", targets.Keys)}.", nameof(weights));
            if (!p.Value.Shape.SequenceEqual(value.Shape))
                throw new ArgumentException($"Parameter '{name}' is [{Tensor.FormatShape(p.Value.Shape)}]; received [{Tensor.FormatShape(value.Shape)}].", nameof(weights));
        }
        foreach (var (name, value) in weights) targets[name].Value.CopyFrom(value);
    }

    /// <summary>A table of the layers, their output shapes and parameter counts, as Keras's <c>summary()</c>.</summary>
    public string Summary()
    {
        var rows = new List<(string Layer, string Shape, string Params)> { ("Layer (type)", "Output shape", "Param #") };
        var shape = InputShape.ToArray();
        foreach (var layer in _layers)
        {
            shape = layer.OutputShapeFor(shape);
            var dims = string.Join(", ", shape.Select(d => d < 0 ? "None" : d.ToString(CultureInfo.InvariantCulture)));
            rows.Add(($"{layer.Name} ({layer.GetType().Name})", $"(None, {dims})", layer.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)));
        }
        int w0 = rows.Max(r => r.Layer.Length), w1 = rows.Max(r => r.Shape.Length), w2 = rows.Max(r => r.Params.Length);
        var rule = new string('─', w0 + w1 + w2 + 6);
        var sb = new StringBuilder();
        sb.AppendLine(rule);
        for (var i = 0; i < rows.Count; i++)
        {
            sb.Append(rows[i].Layer.PadRight(w0)).Append("   ").Append(rows[i].Shape.PadRight(w1)).Append("   ").AppendLine(rows[i].Params.PadLeft(w2));
            if (i == 0) sb.AppendLine(rule);
        }
        sb.AppendLine(rule);
        sb.Append(CultureInfo.InvariantCulture, $"Total params: {ParameterCount:N0}");
        return sb.ToString();
    }

    void CheckInput(Tensor x, string name)
    {
        var ok = x.Rank == InputShape.Count + 1;
        for (var d = 0; ok && d < InputShape.Count; d++) ok = InputShape[d] < 0 || InputShape[d] == x.Shape[d + 1];
        if (!ok)
        {
            var expected = string.Join(", ", InputShape.Select(d => d < 0 ? "*" : d.ToString(CultureInfo.InvariantCulture)));
            throw new ArgumentException($"The model expects inputs [batch, {expected}]; received [{Tensor.FormatShape(x.Shape)}].", name);
        }
    }
}
