// Model: a graph of layer calls from inputs to outputs, as Keras's functional API — forward in creation order,
// backward in reverse with gradients added per symbol; parameters, weights and the summary. Training (Compile,
// Fit, Evaluate, Predict) is in Model.Fit.cs, files and checkpoints in Model.Save.cs; Sequential is a chain of it.
using System.Globalization;
using LstmSharp.Layers;

namespace LstmSharp;

/// <summary>
/// A model from explicit layer calls, as Keras's functional API:
/// <code>
/// var source = new Input(-1) { Name = "source" };
/// var (_, states) = new Lstm(64).CallWithState(new Embedding(100, 32).Call(source));
/// var target = new Input(-1) { Name = "target" };
/// var decoded = new Lstm(64, new() { ReturnSequences = true }).Call(new Embedding(80, 32).Call(target), states);
/// var model = new Model([source, target], [new TimeDistributed(new Dense(80)).Call(decoded)]);
/// </code>
/// Layers are built when the model is made (weights from <c>seed</c> + the call's position), so
/// <see cref="Summary"/> and parameter counts are known at once. A model may call layers of another model (an
/// inference model sharing a trained model's layers) and may itself be called as a layer; within one model a
/// layer is called once, because it keeps the activations of its call for the backward pass.
/// </summary>
public partial class Model : Layer
{
    readonly Input[] _inputs;
    readonly Symbol[] _outputs;
    readonly Node[] _nodes;
    readonly Layer[] _layers;
    readonly int[] _inputSlots, _outputSlots;
    readonly int[][] _nodeInputSlots, _nodeOutputSlots;
    readonly int[] _consumers;          // per slot: uses by nodes, plus one for a model output (its loss)
    readonly Tensor?[] _values, _masks;  // per slot, during a forward pass (buffers of the producing layers)
    readonly Tensor?[] _grads, _owned;   // per slot: the gradient so far; the buffer the model owns for sums
    readonly Tensor[] _outputValues;
    readonly Tensor?[] _outputMasks, _inputGradients;
    readonly Tensor[] _one = new Tensor[1];
    readonly Tensor?[] _oneMask = new Tensor?[1], _oneGradient = new Tensor?[1];
    Tensor? _zeroInputGradient;

    /// <summary>
    /// Makes the model that computes <paramref name="outputs"/> from <paramref name="inputs"/>, building every layer
    /// not yet built from <paramref name="seed"/> (layer k in call order from seed + k).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// An output needs an input not listed, an input reaches no output, a layer is called twice, two layers share a
    /// name, or names or symbols repeat; the message names them.
    /// </exception>
    public Model(IReadOnlyList<Input> inputs, IReadOnlyList<Symbol> outputs, int seed = 0, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (inputs.Count == 0) throw new ArgumentException("A model needs at least one input.", nameof(inputs));
        if (outputs.Count == 0) throw new ArgumentException("A model needs at least one output.", nameof(outputs));
        _inputs = [.. inputs];
        _outputs = [.. outputs];
        for (var i = 0; i < _inputs.Length; i++)
            if (_inputs[i] is null) throw new ArgumentException($"Input {i} is null.", nameof(inputs));
        for (var o = 0; o < _outputs.Length; o++)
            if (_outputs[o] is null) throw new ArgumentException($"Output {o} is null.", nameof(outputs));
        if (_inputs.Distinct().Count() != _inputs.Length) throw new ArgumentException("An input is listed twice.", nameof(inputs));
        if (_outputs.Distinct().Count() != _outputs.Length)
            throw new ArgumentException($"Output '{_outputs.GroupBy(s => s).First(g => g.Count() > 1).Key.Name}' is listed twice.", nameof(outputs));

        _nodes = CollectNodes(_inputs, _outputs);
        _layers = [.. _nodes.Select(n => n.Layer)];
        CheckLayers();
        NameInputs();
        CheckMemory(_nodes);
        for (var k = 0; k < _nodes.Length; k++)
            if (!_nodes[k].Layer.IsBuilt) _nodes[k].Layer.BuildFor(_nodes[k], seed + k);

        // One slot per symbol: the inputs, then every node's outputs.
        var slots = new Dictionary<Symbol, int>();
        foreach (var input in _inputs) slots[input] = slots.Count;
        foreach (var node in _nodes)
            foreach (var output in node.Outputs) slots[output] = slots.Count;
        _inputSlots = [.. _inputs.Select(s => slots[s])];
        _outputSlots = [.. _outputs.Select(s => slots[s])];
        _nodeInputSlots = [.. _nodes.Select(n => n.Inputs.Select(s => slots[s]).ToArray())];
        _nodeOutputSlots = [.. _nodes.Select(n => n.Outputs.Select(s => slots[s]).ToArray())];
        _consumers = new int[slots.Count];
        foreach (var used in _nodeInputSlots)
            foreach (var slot in used) _consumers[slot]++;
        foreach (var slot in _outputSlots) _consumers[slot]++;
        _values = new Tensor?[slots.Count];
        _masks = new Tensor?[slots.Count];
        _grads = new Tensor?[slots.Count];
        _owned = new Tensor?[slots.Count];
        _outputValues = new Tensor[_outputs.Length];
        _outputMasks = new Tensor?[_outputs.Length];
        _inputGradients = new Tensor?[_inputs.Length];

        SetParameters([.. _layers.SelectMany(l => l.Parameters).Distinct()]);
        MarkBuilt(_inputs[0].Shape.ToArray());
    }

    /// <summary>Bytes a parameter takes in training: its value and gradient, and two optimizer slots (Adam's moments).</summary>
    const long BytesPerParameter = 16;

    /// <summary>
    /// Refuses, before any weight is allocated, a model whose parameters could not be trained in the memory this
    /// process may use (a typo such as 10000 units would otherwise fail with an out-of-memory crash, or swap).
    /// </summary>
    static void CheckMemory(Node[] nodes)
    {
        long parameters = 0;
        try
        {
            foreach (var node in nodes)
                if (!node.Layer.IsBuilt && node.Inputs.Length > 0) parameters = checked(parameters + node.Layer.ParameterCountFor([.. node.Inputs[0].Shape]));
        }
        catch (OverflowException)
        {
            parameters = long.MaxValue;
        }
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (parameters > available / BytesPerParameter)
        {
            throw new ArgumentException(
                $"The model has {parameters:N0} parameters, which need about {parameters / (double)(1L << 30) * BytesPerParameter:N1} GB to train (weights, gradients, optimizer state); " +
                $"this process can use {available / (double)(1L << 30):N1} GB. Use fewer units or layers.");
        }
    }

    /// <summary>The nodes the outputs depend on, in creation (topological) order; throws for a disconnected graph.</summary>
    static Node[] CollectNodes(Input[] inputs, Symbol[] outputs)
    {
        var given = new HashSet<Symbol>(inputs);
        var reached = new HashSet<Symbol>();
        var nodes = new HashSet<Node>();
        foreach (var output in outputs)
        {
            var stack = new Stack<Symbol>([output]);
            while (stack.Count > 0)
            {
                var symbol = stack.Pop();
                if (!reached.Add(symbol)) continue;
                if (given.Contains(symbol)) continue;
                if (symbol.Producer is not { } node)
                {
                    throw new ArgumentException(
                        $"Output '{output.Name}' cannot be computed from the model's inputs ({string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}): " +
                        $"it depends on input '{symbol.Name}' {symbol.Describe()}, which is not among them. Add it to the inputs.", nameof(outputs));
                }
                if (!nodes.Add(node)) continue;
                foreach (var input in node.Inputs) stack.Push(input);
            }
        }
        foreach (var input in inputs)
        {
            if (!reached.Contains(input))
                throw new ArgumentException($"Input '{input.Name}' {input.Describe()} is not connected to any output of the model; remove it or use it.", nameof(inputs));
        }
        var ordered = nodes.OrderBy(n => n.Order).ToArray();
        // Creation order is topological because a call consumes only existing symbols; check it all the same.
        var produced = new HashSet<Symbol>(inputs);
        foreach (var node in ordered)
        {
            foreach (var input in node.Inputs)
            {
                if (!produced.Contains(input))
                    throw new ArgumentException($"The graph has a cycle: {node.Layer.GetType().Name} '{node.Layer.Name}' consumes '{input.Name}' before it is computed.", nameof(outputs));
            }
            foreach (var output in node.Outputs) produced.Add(output);
        }
        return ordered;
    }

    /// <summary>Each layer once, itself or nested; unique names (new default-named layers get a suffix, as Keras's).</summary>
    void CheckLayers()
    {
        var seen = new Dictionary<Layer, int>();
        for (var k = 0; k < _nodes.Length; k++)
        {
            foreach (var layer in _nodes[k].Layer.AllLayers())
            {
                if (ReferenceEquals(layer, this)) throw new ArgumentException($"Model '{Name}' cannot contain itself.");
                if (seen.TryGetValue(layer, out var first))
                {
                    throw new ArgumentException(
                        $"{layer.GetType().Name} '{layer.Name}' is called twice in one model (calls {first + 1} and {k + 1}). A layer keeps the activations of one call " +
                        "for the backward pass, so sharing weights between two calls is not supported: use a second layer, or a second model for the other call.");
                }
                seen[layer] = k;
            }
        }
        // A model's name only prefixes its weights inside a container, so a default-named nested model may be renamed too.
        bool Renamable(Layer l) => l.HasDefaultName && (!l.IsBuilt || l is Model);
        var taken = new HashSet<string>();
        foreach (var layer in _layers.Where(l => !Renamable(l)))
        {
            if (!taken.Add(layer.Name))
                throw new ArgumentException($"Two layers of the model are named '{layer.Name}'; layer names key the parameters ('{layer.Name}.weight'), so give one another name.");
        }
        foreach (var layer in _layers.Where(Renamable))
        {
            var name = layer.Name;
            for (var n = 1; !taken.Add(name); n++) name = $"{layer.Name}_{n}";
            if (name != layer.Name) layer.Name = name;
        }
    }

    /// <summary>Unnamed inputs of a multi-input model become input_1, input_2…; names must then be unique.</summary>
    void NameInputs()
    {
        if (_inputs.Length > 1 && _inputs.Count(i => i.HasDefaultName) > 1)
        {
            var n = 0;
            foreach (var input in _inputs.Where(i => i.HasDefaultName)) input.Name = $"input_{++n}";
        }
        var duplicate = _inputs.GroupBy(i => i.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Two inputs are named '{duplicate.Key}'; name them apart.");
    }

    /// <summary>The inputs, in the order <see cref="Forward(IReadOnlyList{Tensor}, bool, IReadOnlyList{Tensor?}?)"/> takes them.</summary>
    public IReadOnlyList<Input> Inputs => _inputs;

    /// <summary>The outputs, in the order the model gives them (and takes targets and losses).</summary>
    public IReadOnlyList<Symbol> Outputs => _outputs;

    /// <summary>The layers, in call order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>The symbols that <paramref name="layer"/>'s call in this model produces (its output, then any states).</summary>
    /// <exception cref="ArgumentException">The layer is not called in this model.</exception>
    public IReadOnlyList<Symbol> OutputsOf(Layer layer)
    {
        var index = Array.IndexOf(_layers, layer);
        return index >= 0 ? _nodes[index].Outputs : throw new ArgumentException($"{layer?.GetType().Name} '{layer?.Name}' is not called in model '{Name}'.", nameof(layer));
    }

    /// <summary>Every layer call, in order (for the file format and exporters).</summary>
    internal IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>One sample's shape of the (first) input, without the batch axis; -1 = any size.</summary>
    public new IReadOnlyList<int> InputShape => _inputs[0].Shape;

    /// <summary>One sample's shape of the (first) output, without the batch axis.</summary>
    public IReadOnlyList<int> OutputShape => _outputs[0].Shape;

    /// <summary>True when the model is a chain: one input, one output, each call consuming the previous one's output.</summary>
    internal bool IsChain
    {
        get
        {
            if (_inputs.Length != 1 || _outputs.Length != 1) return false;
            Symbol previous = _inputs[0];
            foreach (var node in _nodes)
            {
                if (node.Inputs.Length != 1 || node.Inputs[0] != previous) return false;
                previous = node.Outputs[0];
            }
            return previous == _outputs[0];
        }
    }

    /// <summary>
    /// Runs every layer call on <paramref name="inputs"/> (one per model input, <c>[batch, …]</c>) with optional
    /// padding masks <c>[batch, time]</c> per input, passing masks along as Keras does. Returns the outputs: buffers
    /// of the layers, overwritten by the next call; their masks are in <see cref="OutputMasks"/>.
    /// </summary>
    public IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, bool training = false, IReadOnlyList<Tensor?>? masks = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != _inputs.Length)
            throw new ArgumentException($"Model '{Name}' takes {_inputs.Length} input(s) ({string.Join(", ", _inputs.Select(i => i.Name))}); received {inputs.Count}.", nameof(inputs));
        if (masks is not null && masks.Count != _inputs.Length)
            throw new ArgumentException($"Model '{Name}' takes one mask (or null) per input ({_inputs.Length}); received {masks.Count}.", nameof(masks));
        for (var i = 0; i < _inputs.Length; i++)
        {
            CheckInput(inputs[i], i);
            _values[_inputSlots[i]] = inputs[i];
            _masks[_inputSlots[i]] = masks?[i];
        }
        for (var n = 0; n < _nodes.Length; n++)
        {
            var node = _nodes[n];
            var ins = _nodeInputSlots[n];
            for (var j = 0; j < ins.Length; j++)
            {
                node.InputValues[j] = _values[ins[j]]!;
                node.InputMasks[j] = _masks[ins[j]];
            }
            node.Layer.Run(node, training);
            var outs = _nodeOutputSlots[n];
            for (var k = 0; k < outs.Length; k++)
            {
                _values[outs[k]] = outs[k] == _replacedSlot ? Replacement(node.OutputValues[k]) : node.OutputValues[k];
                _masks[outs[k]] = node.OutputMasks[k];
            }
        }
        for (var o = 0; o < _outputs.Length; o++)
        {
            _outputValues[o] = _values[_outputSlots[o]]!;
            _outputMasks[o] = _masks[_outputSlots[o]];
        }
        return _outputValues;
    }

    /// <summary>The padding masks <c>[batch, time]</c> of the last forward's outputs (null where an output has none).</summary>
    public IReadOnlyList<Tensor?> OutputMasks => _outputMasks;

    /// <summary>
    /// Back-propagates ∂loss/∂output (one per output, null = zero) through every call in reverse order, adding
    /// the parameter gradients; returns ∂loss/∂input per input (null where none flows, e.g. into token ids' consumers
    /// that give none). Calls none of whose outputs received a gradient are skipped. The results are buffers,
    /// overwritten by the next call.
    /// </summary>
    public IReadOnlyList<Tensor?> Backward(IReadOnlyList<Tensor?> dOutputs)
    {
        ArgumentNullException.ThrowIfNull(dOutputs);
        if (dOutputs.Count != _outputs.Length)
            throw new ArgumentException($"Model '{Name}' has {_outputs.Length} output(s); received {dOutputs.Count} gradients.", nameof(dOutputs));
        Array.Clear(_grads);
        for (var o = 0; o < _outputs.Length; o++)
            if (dOutputs[o] is { } d) Accumulate(_outputSlots[o], d);
        for (var n = _nodes.Length - 1; n >= 0; n--)
        {
            var node = _nodes[n];
            var outs = _nodeOutputSlots[n];
            var any = false;
            for (var k = 0; k < outs.Length; k++)
            {
                node.DOutputs[k] = _grads[outs[k]];
                any |= node.DOutputs[k] is not null;
            }
            if (!any) continue;
            Array.Clear(node.DInputs);
            node.Layer.RunBackward(node);
            var ins = _nodeInputSlots[n];
            for (var j = 0; j < ins.Length; j++)
                if (node.DInputs[j] is { } d) Accumulate(ins[j], d);
        }
        for (var i = 0; i < _inputs.Length; i++) _inputGradients[i] = _grads[_inputSlots[i]];
        return _inputGradients;
    }

    /// <summary>
    /// Adds a gradient into a symbol's slot: a symbol with one consumer keeps the layer's buffer itself; with
    /// several, the first gradient is copied into a buffer the model owns and later ones are added to it.
    /// </summary>
    void Accumulate(int slot, Tensor d)
    {
        if (_grads[slot] is not { } sum)
        {
            if (_consumers[slot] <= 1)
            {
                _grads[slot] = d;
                return;
            }
            var owned = Ensure(ref _owned[slot], d.Shape);
            d.Span.CopyTo(owned.Span);
            _grads[slot] = owned;
            return;
        }
        if (!sum.Shape.SequenceEqual(d.Shape))
            throw new InvalidOperationException($"Two gradients of '{SymbolAt(slot).Name}' differ in shape: [{Tensor.FormatShape(sum.Shape)}] and [{Tensor.FormatShape(d.Shape)}].");
        Kernels.Add(d.Span, sum.Span);
    }

    Symbol SymbolAt(int slot)
    {
        var i = Array.IndexOf(_inputSlots, slot);
        if (i >= 0) return _inputs[i];
        for (var n = 0; n < _nodes.Length; n++)
        {
            var k = Array.IndexOf(_nodeOutputSlots[n], slot);
            if (k >= 0) return _nodes[n].Outputs[k];
        }
        throw new ArgumentOutOfRangeException(nameof(slot));
    }

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape) => [.. _outputs[0].Shape];

    private protected override int[] OnBuild(int[] inputShape, Internals.Rng rng) => [.. _outputs[0].Shape];

    /// <summary>The single-tensor forward (<see cref="Layer.Forward(Tensor, bool, Tensor?)"/>) of a one-input, one-output model.</summary>
    private protected override Tensor OnForward(Tensor input, bool training)
    {
        RequireSingle("Forward(IReadOnlyList<Tensor>)");
        _one[0] = input;
        _oneMask[0] = InputMask;
        return Forward(_one, training, _oneMask)[0];
    }

    private protected override Tensor? PropagateMask(Tensor input, Tensor? mask) => _outputMasks[0];

    /// <summary>The single-tensor backward of a one-input, one-output model: returns ∂loss/∂input.</summary>
    private protected override Tensor OnBackward(Tensor dOutput)
    {
        RequireSingle("Backward(IReadOnlyList<Tensor?>)");
        _oneGradient[0] = dOutput;
        if (Backward(_oneGradient)[0] is { } dx) return dx;
        var x = _values[_inputSlots[0]] ?? throw NoForward();
        return Tensor.Ensure(ref _zeroInputGradient, x.Shape);
    }

    /// <summary>Checks, for the wrapper <paramref name="wrapper"/>, that this model has one input and one output and takes inputs of <paramref name="shape"/>.</summary>
    internal void CheckInputShape(string wrapper, int[] shape)
    {
        if (_inputs.Length != 1 || _outputs.Length != 1)
            throw new ArgumentException($"TimeDistributed '{wrapper}' can only wrap a model of one input and one output; model '{Name}' has {_inputs.Length} input(s) and {_outputs.Length} output(s).");
        var expected = _inputs[0].Shape;
        var fits = expected.Count == shape.Length;
        for (var d = 0; fits && d < shape.Length; d++) fits = expected[d] < 0 || shape[d] < 0 || expected[d] == shape[d];
        if (!fits)
            throw new ArgumentException($"TimeDistributed '{wrapper}' gives model '{Name}' inputs [*, {string.Join(", ", shape.Select(d => d < 0 ? "*" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]; the model takes '{_inputs[0].Name}' {_inputs[0].Describe()}.");
    }

    void RequireSingle(string instead)
    {
        if (_inputs.Length != 1 || _outputs.Length != 1)
            throw new InvalidOperationException($"Model '{Name}' has {_inputs.Length} input(s) and {_outputs.Length} output(s); use {instead}.");
    }

    /// <summary>As a layer of another model: one call takes the model's inputs and gives its outputs.</summary>
    internal override (int[] Shape, bool HasMask)[] NodeOutputs(Symbol[] inputs)
    {
        if (inputs.Length != _inputs.Length)
            throw new ArgumentException($"Model '{Name}' takes {_inputs.Length} input(s); received {inputs.Length}.", nameof(inputs));
        for (var i = 0; i < inputs.Length; i++)
        {
            var (expected, given) = (_inputs[i].Shape, inputs[i].Shape);
            var fits = expected.Count == given.Count;
            for (var d = 0; fits && d < given.Count; d++) fits = expected[d] < 0 || given[d] < 0 || expected[d] == given[d];
            if (!fits)
                throw new ArgumentException($"Model '{Name}' takes '{_inputs[i].Name}' {_inputs[i].Describe()}; received '{inputs[i].Name}' {inputs[i].Describe()}.", nameof(inputs));
        }
        return [.. _outputs.Select(o => (o.Shape.ToArray(), o.HasMask))];
    }

    /// <summary>Calls a one-input, one-output model on a symbol, as a layer: its output.</summary>
    public new Symbol Call(Symbol input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_outputs.Length != 1) throw new InvalidOperationException($"Model '{Name}' has {_outputs.Length} outputs; Call(params Symbol[]) gives them all.");
        return Node.Create(this, [input]).Outputs[0];
    }

    /// <summary>Calls the model on symbols (one per input), as a layer: its outputs for these inputs.</summary>
    public IReadOnlyList<Symbol> Call(params Symbol[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Node.Create(this, [.. inputs]).Outputs;
    }

    internal override void BuildFor(Node node, int seed)
    {
    }

    internal override void Run(Node node, bool training)
    {
        var outputs = Forward(node.InputValues, training, node.InputMasks);
        for (var o = 0; o < outputs.Count; o++)
        {
            node.OutputValues[o] = outputs[o];
            node.OutputMasks[o] = _outputMasks[o];
        }
    }

    internal override void RunBackward(Node node)
    {
        var dInputs = Backward(node.DOutputs);
        for (var i = 0; i < dInputs.Count; i++) node.DInputs[i] = dInputs[i];
    }

    internal override IEnumerable<(string Key, Parameter Parameter)> NamedParameters()
    {
        foreach (var (key, p) in ParameterKeys()) yield return ($"{Name}.{key}", p);
    }

    /// <summary>Every parameter keyed <c>layer.parameter</c> (a nested model's as <c>model.layer.parameter</c>).</summary>
    internal IEnumerable<(string Key, Parameter Parameter)> ParameterKeys() => _layers.SelectMany(l => l.NamedParameters());

    /// <summary>A model inside another one stores its whole graph as its config.</summary>
    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        json.WritePropertyName("graph");
        IO.ModelFile.WriteGraph(json, this);
    }

    internal override IEnumerable<Layer> AllLayers() => [this, .. _layers.SelectMany(l => l.AllLayers())];

    internal override IEnumerable<Internals.Rng> RandomGenerators() => _layers.SelectMany(l => l.RandomGenerators());

    /// <summary>
    /// Returns every stateful recurrent layer (<see cref="RnnOptions.Stateful"/>, also inside a wrapper) to a zero
    /// state, as Keras's <c>reset_states()</c>: call it before a new set of streams, e.g. before validation or
    /// before generating from a prompt.
    /// </summary>
    public override void ResetStates()
    {
        foreach (var layer in _layers) layer.ResetStates();
    }

    /// <summary>Copies of every parameter, keyed <c>layer.parameter</c> (e.g. <c>lstm.weight_ih_l0</c>).</summary>
    public IReadOnlyDictionary<string, Tensor> GetWeights()
    {
        var weights = new Dictionary<string, Tensor>();
        foreach (var (key, p) in ParameterKeys()) weights[key] = p.Value.Clone();
        return weights;
    }

    /// <summary>
    /// Sets parameters from <paramref name="weights"/> (keys as in <see cref="GetWeights"/>). Every key must name
    /// a parameter and every shape must match; nothing changes unless all of them do.
    /// </summary>
    public void SetWeights(IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var targets = ParameterKeys().ToDictionary(k => k.Key, k => k.Parameter);
        foreach (var (name, value) in weights)
        {
            if (!targets.TryGetValue(name, out var p))
                throw new ArgumentException($"The model has no parameter '{name}'; it has: {string.Join(", ", targets.Keys)}.", nameof(weights));
            if (!p.Value.Shape.SequenceEqual(value.Shape))
                throw new ArgumentException($"Parameter '{name}' is [{Tensor.FormatShape(p.Value.Shape)}]; received [{Tensor.FormatShape(value.Shape)}].", nameof(weights));
        }
        foreach (var (name, value) in weights) targets[name].Value.CopyFrom(value);
    }

    /// <summary>
    /// The model's name and a table of the layer calls, their output shapes and parameter counts, then the total,
    /// trainable and non-trainable (frozen, <see cref="Parameter.Trainable"/>) counts, as Keras's <c>summary()</c>; a
    /// model that is not a chain also lists its inputs and what each call is connected to.
    /// </summary>
    /// <remarks>
    /// Recurrent layers hold PyTorch's two bias vectors (<c>bias_ih</c>, <c>bias_hh</c>), so the counts equal
    /// PyTorch's. Keras's LSTM and SimpleRNN have one (an LSTM has 4·(H·(I+H)+H) parameters there, 4H fewer than
    /// here; a SimpleRNN H fewer; per direction), while its GRU, with <c>reset_after=True</c> (its default), has two
    /// as here; when the difference is not zero a last line gives it.
    /// </remarks>
    public string Summary() => GetSummary().ToString();

    /// <summary>What <see cref="Summary"/> prints, as data: the table's header and rows and the parameter counts (for notebooks and reports).</summary>
    public ModelSummary GetSummary()
    {
        var chain = IsChain;
        var rows = new List<string[]>();
        if (!chain)
            foreach (var input in _inputs) rows.Add([$"{input.Name} (Input)", Keras(input.Shape), "0", ""]);
        foreach (var node in _nodes)
        {
            // A chain uses only each call's first output (a recurrent layer's states go nowhere), as Keras shows it.
            var shapes = chain || node.Outputs.Length == 1 ? Keras(node.Outputs[0].Shape) : "[" + string.Join(", ", node.Outputs.Select(o => Keras(o.Shape))) + "]";
            var count = node.Layer.ParameterCount.ToString("N0", CultureInfo.InvariantCulture);
            var name = $"{node.Layer.Name} ({node.Layer.GetType().Name})";
            rows.Add(chain ? [name, shapes, count] : [name, shapes, count, string.Join(", ", node.Inputs.Select(s => s.Name))]);
        }
        string[] header = chain ? ["Layer (type)", "Output shape", "Param #"] : ["Layer (type)", "Output shape", "Param #", "Connected to"];
        var trainable = Parameters.Where(p => p.Trainable).Sum(p => (long)p.Value.Length);
        return new ModelSummary(Name, header, rows, ParameterCount, trainable, KerasBiasSurplus);
    }

    internal override long KerasBiasSurplus => _nodes.Sum(n => n.Layer.KerasBiasSurplus);

    static string Keras(IReadOnlyList<int> shape) => "(None, " + string.Join(", ", shape.Select(d => d < 0 ? "None" : d.ToString(CultureInfo.InvariantCulture))) + ")";

    void CheckInput(Tensor x, int index)
    {
        ArgumentNullException.ThrowIfNull(x);
        var shape = _inputs[index].Shape;
        var ok = x.Rank == shape.Count + 1;
        for (var d = 0; ok && d < shape.Count; d++) ok = shape[d] < 0 || shape[d] == x.Shape[d + 1];
        if (!ok)
        {
            var expected = string.Join(", ", shape.Select(d => d < 0 ? "*" : d.ToString(CultureInfo.InvariantCulture)));
            var which = _inputs.Length == 1 ? "inputs" : $"input '{_inputs[index].Name}' as";
            throw new ArgumentException($"The model expects {which} [batch, {expected}]; received [{Tensor.FormatShape(x.Shape)}].", _inputs.Length == 1 ? "x" : "inputs");
        }
    }
}
