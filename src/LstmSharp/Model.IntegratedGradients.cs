// Model.IntegratedGradients: attributions of one output value to the elements of an intermediate activation
// (Sundararajan, Taly & Yan 2017, "Axiomatic attribution for deep networks"), the path integral of the gradient from
// a zero baseline to the activation, by the trapezoid rule over points that run through the network as one batch.
using LstmSharp.Internals;

namespace LstmSharp;

public partial class Model
{
    /// <summary>The most path points <see cref="IntegratedGradients"/> takes.</summary>
    public const int MaxIntegrationSteps = 10_000;

    /// <summary>
    /// Integrated gradients of output value <paramref name="output"/> (an index into one sample's first output,
    /// flattened: a class id for <c>[classes]</c> logits) with respect to the value of <paramref name="at"/>, for one
    /// sample (<paramref name="inputs"/> each <c>[1, …]</c>):
    /// <code>
    /// IG_e = (x_e − x'_e) · ∫₀¹ ∂F(x' + α(x − x'))/∂x_e dα ≈ (x_e − x'_e) · Σ_k w_k ∂F(x' + (k/m)(x − x'))/∂x_e
    /// </code>
    /// with x the symbol's value, F the output as the network gives it (a logit where the last layer has no softmax),
    /// m = <paramref name="steps"/> and trapezoid weights w_0 = w_m = 1/(2m), w_k = 1/m otherwise. The baseline x' is zero,
    /// except at the time steps the symbol's padding mask marks as padding, which keep their value on the whole path
    /// (so padding stays padding and gets no attribution). The m + 1 points run through the network as batches of at
    /// most <paramref name="batchSize"/> rows, each one forward and one backward pass (<see cref="Forward(IReadOnlyList{Tensor}, Symbol, Tensor, bool, IReadOnlyList{Tensor?}?)"/>,
    /// <see cref="GradientAt"/>). By the completeness axiom the attributions add up to F(x) − F(x'); the difference that
    /// remains (<see cref="IntegratedGradientsResult.CompletenessGap"/>) is the quadrature error, which shrinks as
    /// <paramref name="steps"/> grows. The pass is in inference mode (no dropout); stateful layers are reset before
    /// every batch and after, and the parameter gradients are cleared afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// An input is not one sample, <paramref name="at"/> is not computed in the model, or <paramref name="output"/> is
    /// outside the first output.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is outside [1, <see cref="MaxIntegrationSteps"/>] or <paramref name="batchSize"/> below 1.</exception>
    public IntegratedGradientsResult IntegratedGradients(IReadOnlyList<Tensor> inputs, Symbol at, int output, int steps = 50, int batchSize = 64, IReadOnlyList<Tensor?>? masks = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Guard.InRange(steps, 1, MaxIntegrationSteps);
        Guard.Positive(batchSize);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i] is { Rank: >= 1 } sample && sample.Dim(0) != 1)
                throw new ArgumentException($"Integrated gradients explain one sample; input {i} is [{Tensor.FormatShape(sample.Shape)}], expected [1, …].", nameof(inputs));
        }

        // The point itself: x [1, …], its mask [1, T] (or none) and F(x).
        ResetStates();
        var outputs = Forward(inputs, training: false, masks);
        var perSample = outputs[0].Length / outputs[0].Dim(0);
        if ((uint)output >= (uint)perSample)
            throw new ArgumentOutOfRangeException(nameof(output), output, $"Output '{_outputs[0].Name}' has {perSample} value(s) per sample; received index {output}.");
        var fx = (double)outputs[0].Span[output];
        var x = ValueAt(at).Clone();
        var mask = MaskAt(at)?.Clone();
        var times = mask is null ? 1 : mask.Dim(1);          // time steps the mask covers
        var block = x.Length / times;                         // values per time step
        var delta = x.Clone();                                // x − x': zero at padded steps
        for (var t = 0; t < times; t++)
            if (mask is not null && mask.Span[t] == 0f) delta.Span.Slice(t * block, block).Clear();

        var attributions = Tensor.Zeros([.. x.Shape]);
        double fBaseline = 0;
        for (var first = 0; first <= steps; first += batchSize)
        {
            var rows = Math.Min(batchSize, steps + 1 - first);
            var batchInputs = inputs.Select(t => Repeat(t, rows)).ToArray();
            var batchMasks = masks?.Select(m => m is null ? null : Repeat(m, rows)).ToArray();
            var path = Tensor.Zeros([rows, .. x.Shape[1..]]);   // [rows, …] x' + α_k (x − x')
            for (var r = 0; r < rows; r++)
            {
                var alpha = (float)((first + r) / (double)steps);
                var row = path.Span.Slice(r * x.Length, x.Length);
                x.Span.CopyTo(row);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(delta.Span, alpha - 1f, row, row);
            }
            ResetStates();
            var result = Forward(batchInputs, at, path, training: false, batchMasks)[0];   // [rows, …] F at each point
            var y = result.Span;
            var dOutputs = new Tensor?[_outputs.Length];
            dOutputs[0] = Tensor.Zeros([.. result.Shape]);   // ∂F/∂output: one at the explained value of each row
            for (var r = 0; r < rows; r++) dOutputs[0]!.Span[r * perSample + output] = 1f;
            if (first == 0) fBaseline = y[output];
            Backward(dOutputs);
            if (GradientAt(at) is not { } gradient) continue;
            var g = gradient.Span;
            var a = attributions.Span;
            for (var r = 0; r < rows; r++)
            {
                var k = first + r;
                var weight = (float)(k == 0 || k == steps ? 0.5 / steps : 1.0 / steps);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g.Slice(r * x.Length, x.Length), weight, a, a);
            }
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(attributions.Span, delta.Span, attributions.Span);
        ResetStates();
        ZeroGradients();
        return new IntegratedGradientsResult(attributions, fx, fBaseline, steps);
    }

    /// <summary>A one-sample tensor <c>[1, …]</c> repeated <paramref name="rows"/> times along the batch axis.</summary>
    static Tensor Repeat(Tensor tensor, int rows)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var copy = Tensor.Zeros([rows, .. tensor.Shape[1..]]);
        for (var r = 0; r < rows; r++) tensor.Span.CopyTo(copy.Span.Slice(r * tensor.Length, tensor.Length));
        return copy;
    }
}
