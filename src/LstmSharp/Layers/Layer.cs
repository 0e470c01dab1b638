// Layer: the base of every layer. Forward and backward for one layer, named parameters, and buffers that
// are allocated once per input shape so repeated calls allocate nothing.
using LstmSharp.Internals;
using LstmSharp.Kernels;

namespace LstmSharp.Layers;

/// <summary>
/// A layer: parameters plus forward and backward passes. <see cref="Forward(Tensor, bool, Tensor?)"/> returns a
/// buffer the layer owns and overwrites on the next call (copy it to keep it); <see cref="Backward"/> adds
/// the parameter gradients to <see cref="Parameter.Gradient"/> (as in PyTorch, clear them with
/// <see cref="ZeroGradients"/>) and returns ∂loss/∂input.
/// </summary>
public abstract class Layer
{
    Parameter[] _parameters = [];
    int[]? _inputShape;

    /// <summary>Creates a layer; <paramref name="name"/> defaults to the type name in snake case, as Keras names layers (<c>simple_rnn</c>).</summary>
    protected Layer(string? name)
    {
        _name = name ?? SnakeCase(GetType().Name);
        HasDefaultName = name is null;
    }

    string _name;

    static string SnakeCase(string typeName)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < typeName.Length; i++)
        {
            // (a capital after a digit joins it, as Keras's spatial_dropout1d)
            if (i > 0 && char.IsUpper(typeName[i]) && !char.IsDigit(typeName[i - 1])) sb.Append('_');
            sb.Append(char.ToLowerInvariant(typeName[i]));
        }
        return sb.ToString();
    }

    /// <summary>The layer's name, used in error messages, parameter keys (<c>layer.parameter</c>) and model files.</summary>
    public string Name
    {
        get => _name;
        set
        {
            _name = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("A layer's name must not be empty.", nameof(value)) : value;
            HasDefaultName = false;
        }
    }

    /// <summary>The trainable parameters in PyTorch's names and shapes (empty before the layer is built).</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>True once the input shape is known and the parameters exist.</summary>
    public bool IsBuilt => _inputShape is not null;

    /// <summary>The input shape without the batch axis (time may be -1 for any length); null before building.</summary>
    public IReadOnlyList<int>? InputShape => _inputShape;

    /// <summary>The random generators the layer draws from in training (dropout masks), for checkpoints.</summary>
    internal virtual IEnumerable<Rng> RandomGenerators() => [];

    /// <summary>The kernels this layer calls; tests set it to run every variant.</summary>
    internal KernelSet Kernels { get; set; } = KernelSet.Default;

    /// <summary>
    /// Creates the parameters for inputs of <paramref name="inputShape"/> (without the batch axis; -1 marks
    /// a variable time axis), initialised from <paramref name="seed"/>. Returns the output shape.
    /// </summary>
    public int[] Build(ReadOnlySpan<int> inputShape, int seed = 0)
    {
        if (IsBuilt) throw new InvalidOperationException($"Layer '{Name}' is already built for input [{Tensor.FormatShape(_inputShape)}].");
        var shape = inputShape.ToArray();
        ValidateInput(shape);
        var outputShape = OnBuild(shape, new Rng(seed));
        _inputShape = shape;
        return outputShape;
    }

    /// <summary>Records the input shape of a layer built by other means (a model builds its layers itself).</summary>
    private protected void MarkBuilt(int[] inputShape) => _inputShape = inputShape;

    /// <summary>The output shape (without the batch axis) for an input shape (without the batch axis).</summary>
    public abstract int[] OutputShapeFor(ReadOnlySpan<int> inputShape);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the layer when it cannot take inputs of <paramref name="inputShape"/>.</summary>
    private protected virtual void ValidateInput(int[] inputShape)
    {
    }

    /// <summary>
    /// Calls the layer on a symbolic tensor, as a Keras functional-API call: checks that the layer can take
    /// <paramref name="input"/> and returns its output symbol. The layer is built (its weights created) when a
    /// <see cref="Model"/> that contains the call is made.
    /// </summary>
    public Symbol Call(Symbol input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Node.Create(this, [input]).Outputs[0];
    }

    /// <summary>
    /// The shapes and masks of a call's outputs for <paramref name="inputs"/>, after checking them (the message
    /// names the layer and both shapes). By default one input and one output.
    /// </summary>
    internal virtual (int[] Shape, bool HasMask)[] NodeOutputs(Symbol[] inputs)
    {
        if (inputs.Length != 1)
            throw new ArgumentException($"{GetType().Name} '{Name}' takes one input; received {inputs.Length}.", nameof(inputs));
        var shape = inputs[0].Shape.ToArray();
        CheckCall(shape, inputs[0]);
        return [(OutputShapeFor(shape), OutputHasMask(shape, inputs[0].HasMask))];
    }

    /// <summary>Checks that <paramref name="shape"/> fits the layer (and, once built, the shape it was built for).</summary>
    internal void CheckCall(int[] shape, Symbol input)
    {
        if (_inputShape is { } built)
        {
            var fits = built.Length == shape.Length;
            for (var d = 0; fits && d < shape.Length; d++) fits = built[d] < 0 || shape[d] < 0 || built[d] == shape[d];
            if (!fits)
            {
                throw new ArgumentException(
                    $"{GetType().Name} '{Name}' was built for inputs [*, {Tensor.FormatShape(built)}]; received '{input.Name}' {input.Describe()}.");
            }
        }
        ValidateInput(shape);
    }

    /// <summary>Validates an input shape for a wrapper (<see cref="Bidirectional"/>, <see cref="TimeDistributed"/>).</summary>
    internal void CheckInputShape(int[] shape) => ValidateInput(shape);

    /// <summary>Whether the output of a call carries a mask: by default the input's.</summary>
    private protected virtual bool OutputHasMask(int[] inputShape, bool inputHasMask) => inputHasMask;

    /// <summary>Builds the layer for a node's input shapes, when a model containing it is made.</summary>
    internal virtual void BuildFor(Node node, int seed) => Build(node.Inputs[0].Shape.ToArray(), seed);

    /// <summary>
    /// Runs one call: reads <see cref="Node.InputValues"/> and <see cref="Node.InputMasks"/>, sets
    /// <see cref="Node.OutputValues"/> and <see cref="Node.OutputMasks"/> (buffers the layer owns).
    /// </summary>
    internal virtual void Run(Node node, bool training)
    {
        node.OutputValues[0] = Forward(node.InputValues[0], training, node.InputMasks[0]);
        node.OutputMasks[0] = OutputMask;
    }

    /// <summary>
    /// The backward pass of one call: reads <see cref="Node.DOutputs"/> (null = zero; the model skips a call none
    /// of whose outputs received a gradient), sets <see cref="Node.DInputs"/>. A layer never writes into the
    /// gradients it is given.
    /// </summary>
    internal virtual void RunBackward(Node node) => node.DInputs[0] = Backward(node.DOutputs[0]!);

    /// <summary>The parameters keyed as in model files, <c>layer.parameter</c> (a nested model prefixes its own name).</summary>
    internal virtual IEnumerable<(string Key, Parameter Parameter)> NamedParameters()
    {
        foreach (var p in _parameters) yield return ($"{Name}.{p.Name}", p);
    }

    /// <summary>The layers this one consists of, itself included (a model lists its layers).</summary>
    internal virtual IEnumerable<Layer> AllLayers() => [this];

    /// <summary>
    /// Writes the layer's settings (beyond <c>type</c> and <c>name</c>) into its model-file config; the reader is
    /// registered in <see cref="IO.LayerConfigs"/>. A layer without one cannot be saved.
    /// </summary>
    internal virtual void WriteConfig(System.Text.Json.Utf8JsonWriter json) =>
        throw new NotSupportedException($"Layer '{Name}' of type {GetType().Name} cannot be saved.");

    /// <summary>
    /// How many parameter values the layer has for inputs of <paramref name="inputShape"/>, computed without
    /// building it (a loader checks a file's architecture against its size before allocating anything).
    /// </summary>
    internal virtual long ParameterCountFor(int[] inputShape) => 0;

    /// <summary>
    /// How many more parameters this layer has than Keras's counterpart because it keeps PyTorch's second bias
    /// (<see cref="Model.Summary"/> reports it): 4H for an LSTM, H for a simple RNN, 0 for the rest.
    /// </summary>
    internal virtual long KerasBiasSurplus => 0;

    /// <summary>True while the name is the default from the type (a model may then make it unique).</summary>
    internal bool HasDefaultName { get; private set; }

    /// <summary>
    /// Runs the layer on a batch. <paramref name="training"/> turns on dropout. <paramref name="mask"/>
    /// <c>[batch, time]</c> (1 = real step, 0 = padding) marks the steps recurrent layers skip; the mask that goes
    /// with the output is then in <see cref="OutputMask"/>.
    /// </summary>
    public Tensor Forward(Tensor input, bool training = false, Tensor? mask = null)
    {
        BeginForward(input, mask);
        var output = OnForward(input, training);
        EndForward(input, mask);
        return output;
    }

    /// <summary>Checks and records what a forward pass starts from: builds the layer if needed, checks the mask.</summary>
    private protected void BeginForward(Tensor input, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(input);
        EnsureBuilt(input);
        if (mask is not null) CheckMask(input, mask);
        InputMask = mask;
    }

    /// <summary>Sets <see cref="OutputMask"/> after a forward pass.</summary>
    private protected void EndForward(Tensor input, Tensor? mask) => OutputMask = PropagateMask(input, mask);

    /// <summary>The padding mask <c>[batch, time]</c> that goes with the last output, or null when there is none.</summary>
    public Tensor? OutputMask { get; private set; }

    /// <summary>The mask given to the running forward pass.</summary>
    private protected Tensor? InputMask { get; private set; }

    /// <summary>The output's mask: by default the input's, when the output keeps the time axis.</summary>
    private protected virtual Tensor? PropagateMask(Tensor input, Tensor? mask) => mask;

    void CheckMask(Tensor input, Tensor mask)
    {
        if (input.Rank < 2 || mask.Rank != 2 || mask.Dim(0) != input.Dim(0) || mask.Dim(1) != input.Dim(1))
        {
            throw new ArgumentException(
                $"{GetType().Name} '{Name}': a mask must be [batch, time] of the input [{Tensor.FormatShape(input.Shape)}]; received [{Tensor.FormatShape(mask.Shape)}].",
                nameof(mask));
        }
        var m = mask.Span;
        for (var i = 0; i < m.Length; i++)
        {
            if (m[i] is not (0f or 1f))
                throw new ArgumentException($"{GetType().Name} '{Name}': mask values must be 0 or 1; received {m[i]} at {mask.IndexOf(i)}.", nameof(mask));
        }
    }

    /// <summary>
    /// Back-propagates ∂loss/∂output of the last <see cref="Forward(Tensor, bool, Tensor?)"/>: adds the parameter
    /// gradients and returns ∂loss/∂input.
    /// </summary>
    public Tensor Backward(Tensor dOutput)
    {
        ArgumentNullException.ThrowIfNull(dOutput);
        return OnBackward(dOutput);
    }

    /// <summary>
    /// Returns a stateful recurrent layer (<see cref="RnnOptions.Stateful"/>) to a zero state, as Keras's
    /// <c>reset_states()</c>; wrappers reset the layer they wrap; other layers have no state and do nothing.
    /// </summary>
    public virtual void ResetStates()
    {
    }

    /// <summary>Sets every parameter gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (var p in _parameters) p.Gradient.Span.Clear();
    }

    /// <summary>Number of trainable values.</summary>
    public long ParameterCount => _parameters.Sum(p => (long)p.Value.Length);

    /// <summary>Creates the parameters; returns the output shape.</summary>
    private protected abstract int[] OnBuild(int[] inputShape, Rng rng);

    /// <summary>The forward pass on a validated input.</summary>
    private protected abstract Tensor OnForward(Tensor input, bool training);

    /// <summary>The backward pass of the last forward.</summary>
    private protected abstract Tensor OnBackward(Tensor dOutput);

    /// <summary>Registers the parameters (in PyTorch's state_dict order).</summary>
    protected void SetParameters(params Parameter[] parameters)
    {
        _parameters = parameters;
        if (!_trainable) foreach (var p in parameters) p.Trainable = false;
        if (_learningRateMultiplier != 1f) foreach (var p in parameters) p.LearningRateMultiplier = _learningRateMultiplier;
    }

    bool _trainable = true;

    /// <summary>
    /// Whether training updates the layer's parameters (Keras's <c>trainable</c>; default true): false freezes them, e.g.
    /// pre-trained embeddings. Setting it sets <see cref="Parameter.Trainable"/> of each parameter; it is saved in model files.
    /// </summary>
    public bool Trainable
    {
        get => _trainable;
        set
        {
            _trainable = value;
            foreach (var p in _parameters) p.Trainable = value;
        }
    }

    float _learningRateMultiplier = 1f;

    /// <summary>
    /// What optimizers multiply their learning rate by for this layer's parameters (discriminative fine-tuning, ULMFiT;
    /// default 1, 0 leaves them in place): setting it sets <see cref="Parameter.LearningRateMultiplier"/> of each
    /// parameter, as <see cref="Trainable"/> does; it is saved in model files.
    /// </summary>
    public float LearningRateMultiplier
    {
        get => _learningRateMultiplier;
        set
        {
            _learningRateMultiplier = Parameter.CheckMultiplier(value, $"{nameof(LearningRateMultiplier)} of layer '{Name}'");
            foreach (var p in _parameters) p.LearningRateMultiplier = value;
        }
    }

    internal void EnsureBuilt(Tensor input)
    {
        if (!IsBuilt) Build(input.Shape[1..], seed: 0);
    }

    /// <summary>Throws unless <paramref name="actual"/> matches <paramref name="expected"/> (-1 = any size).</summary>
    protected void CheckShape(Tensor actual, ReadOnlySpan<int> expected, string what, string hint)
    {
        var ok = actual.Rank == expected.Length;
        for (var d = 0; ok && d < expected.Length; d++) ok = expected[d] < 0 || expected[d] == actual.Shape[d];
        if (!ok)
        {
            var text = string.Join(", ", expected.ToArray().Select(d => d < 0 ? "*" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            throw new ArgumentException($"{GetType().Name} '{Name}' expects {what} [{text}]; received [{Tensor.FormatShape(actual.Shape)}]. {hint}");
        }
    }

    /// <summary>As <see cref="Tensor.Ensure"/>: <paramref name="buffer"/> when it has <paramref name="shape"/>, else a zero tensor (on its storage when large enough).</summary>
    protected static Tensor Ensure(ref Tensor? buffer, params ReadOnlySpan<int> shape) => Tensor.Ensure(ref buffer, shape);

    /// <summary>As <see cref="Ensure(ref Tensor?, ReadOnlySpan{int})"/> without storing the result.</summary>
    protected static Tensor Ensure(Tensor? buffer, params ReadOnlySpan<int> shape) => Tensor.Ensure(ref buffer, shape);

    /// <summary>Throws when a backward pass comes before any forward pass.</summary>
    protected Exception NoForward() =>
        new InvalidOperationException($"{GetType().Name} '{Name}': Backward was called before Forward.");
}
