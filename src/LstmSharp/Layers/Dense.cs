// Dense: y = activation(x · weightᵀ + bias) on the last axis, so it serves [batch, units] and
// [batch, time, units] alike.
using System.Numerics.Tensors;
using LstmSharp.Initializers;
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// A fully-connected layer on the last axis: <c>y = activation(x·Wᵀ + b)</c> with PyTorch's
/// <c>weight [out, in]</c> and <c>bias [out]</c>. Works on <c>[batch, in]</c> and <c>[batch, time, in]</c>.
/// Glorot-uniform weight and zero bias, as in Keras.
/// </summary>
public sealed class Dense : Layer
{
    Parameter? _weight, _bias;
    Tensor? _input;   // the last forward's input (not copied)
    Tensor? _output;  // [..., out]
    Tensor? _dA;      // [rows, out] ∂loss/∂pre-activation
    Tensor? _dInput;  // [..., in]
    int[] _outShape = [];

    /// <summary>A dense layer with <paramref name="units"/> outputs, optionally penalising its weight and bias.</summary>
    public Dense(int units, Activation activation = Activation.Linear, string? name = null,
        Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null,
        Initializer? kernelInitializer = null, Initializer? biasInitializer = null)
        : base(name)
    {
        Guard.Positive(units);
        Units = units;
        Activation = activation;
        KernelRegularizer = kernelRegularizer;
        BiasRegularizer = biasRegularizer;
        KernelInitializer = kernelInitializer ?? new GlorotUniform();
        BiasInitializer = biasInitializer ?? new Zeros();
    }

    /// <summary>How <c>weight</c> starts. Default <see cref="GlorotUniform"/>.</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>How <c>bias</c> starts. Default <see cref="Zeros"/>.</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>Penalty on <c>weight</c>.</summary>
    public Regularizer? KernelRegularizer { get; }

    /// <summary>Penalty on <c>bias</c>.</summary>
    public Regularizer? BiasRegularizer { get; }

    /// <summary>Number of outputs.</summary>
    public int Units { get; }

    /// <summary>The output activation.</summary>
    public Activation Activation { get; }

    /// <summary>Number of inputs (known once built).</summary>
    public int InputSize { get; private set; }

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape) => [.. inputShape[..^1], Units];

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        json.WriteNumber("units", Units);
        json.WriteString("activation", Activation.ToString());
        IO.LayerConfigs.WriteRegularizer(json, "kernel_regularizer", KernelRegularizer);
        IO.LayerConfigs.WriteRegularizer(json, "bias_regularizer", BiasRegularizer);
    }

    internal override long ParameterCountFor(int[] inputShape) => inputShape.Length == 0 ? 0 : checked(Units * ((long)inputShape[^1] + 1));

    /// <inheritdoc />
    private protected override void ValidateInput(int[] inputShape)
    {
        if (inputShape.Length == 0 || inputShape[^1] <= 0)
            throw new ArgumentException($"Dense '{Name}' needs a known last axis; received an input shape [batch, {Tensor.FormatShape(inputShape)}].");
    }

    /// <inheritdoc />
    private protected override bool OutputHasMask(int[] inputShape, bool inputHasMask) => inputShape.Length == 2 && inputHasMask;

    /// <inheritdoc />
    private protected override int[] OnBuild(int[] inputShape, Rng rng)
    {
        InputSize = inputShape[^1];
        _weight = new Parameter("weight", Tensor.Zeros(Units, InputSize)) { Regularizer = KernelRegularizer };
        _bias = new Parameter("bias", Tensor.Zeros(Units)) { Regularizer = BiasRegularizer };
        KernelInitializer.Fill(_weight.Value.Span, Units, InputSize, rng);
        BiasInitializer.Fill(_bias.Value.Span, Units, 1, rng);
        SetParameters(_weight, _bias);
        return OutputShapeFor(inputShape);
    }

    /// <inheritdoc />
    private protected override Tensor OnForward(Tensor input, bool training)
    {
        if (input.Rank < 2 || input.Dim(-1) != InputSize)
        {
            throw new ArgumentException(
                $"Dense '{Name}' expects input [batch, ..., {InputSize}]; received [{Tensor.FormatShape(input.Shape)}]. Check the previous layer's units.",
                nameof(input));
        }
        int rows = input.Length / InputSize, n = Units;
        if (_output is null || !SameLeading(_output, input)) _outShape = [.. input.Shape[..^1], n];
        var y = Ensure(ref _output, _outShape).Span;
        _input = input;
        Kernels.Gemm(input.Span, InputSize, false, _weight!.Value.Span, InputSize, true, rows, n, InputSize, y, n, accumulate: false, _bias!.Value.Span);
        switch (Activation)
        {
            case Activation.Relu: TensorPrimitives.Max(y, 0f, y); break;
            case Activation.Tanh: TensorPrimitives.Tanh(y, y); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(y, y); break;
            case Activation.Softmax: Kernels.SoftMax(y, rows, n, y); break;
        }
        return _output!;
    }

    /// <inheritdoc />
    private protected override Tensor OnBackward(Tensor dOutput)
    {
        if (_input is null || _output is null) throw NoForward();
        CheckShape(dOutput, _output.Shape, "the output gradient", "It must have the shape of the last Forward's output.");
        int rows = _input.Length / InputSize, n = Units, I = InputSize;
        var y = _output.Span;
        var dY = dOutput.Span;
        var dA = Ensure(ref _dA, rows, n).Span;
        switch (Activation)
        {
            case Activation.Linear: dY.CopyTo(dA); break;
            case Activation.Relu:
                for (var i = 0; i < dA.Length; i++) dA[i] = y[i] > 0f ? dY[i] : 0f;
                break;
            case Activation.Tanh: Kernels.TanhBackward(y, dY, dA); break;
            case Activation.Sigmoid:
                // dA = dY⊙y⊙(1 − y)
                TensorPrimitives.Multiply(y, y, dA);
                TensorPrimitives.Subtract(y, dA, dA);
                TensorPrimitives.Multiply(dA, dY, dA);
                break;
            case Activation.Softmax: Kernels.SoftMaxBackward(y, dY, rows, n, dA); break;   // dA = y⊙(dY − Σ dY⊙y) per row
        }
        // dW += dAᵀ [out, rows] · x [rows, in]; db += Σ_rows dA; dx = dA · W
        Kernels.Gemm(dA, n, true, _input.Span, I, false, n, I, rows, _weight!.Gradient.Span, I, accumulate: true);
        Kernels.SumRows(dA, rows, n, _bias!.Gradient.Span);
        var dx = Ensure(ref _dInput, _input.Shape).Span;
        Kernels.Gemm(dA, n, false, _weight.Value.Span, I, false, rows, I, n, dx, I, accumulate: false);
        return _dInput!;
    }

    /// <inheritdoc />
    private protected override Tensor? PropagateMask(Tensor input, Tensor? mask) => input.Rank == 3 ? mask : null;

    static bool SameLeading(Tensor output, Tensor input)
    {
        if (output.Rank != input.Rank) return false;
        for (var d = 0; d < input.Rank - 1; d++)
            if (output.Shape[d] != input.Shape[d]) return false;
        return true;
    }
}
