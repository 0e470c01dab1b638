// Attention against PyTorch (tools/torch_fixtures, attention_*.json): dot (learned and 1/√D scale), general, concat
// (A = 5, a separate key) and additive (learned scale, causal, a query with nothing to attend to) scores, with a value
// mask and a padded query; the context, the weights and every input and parameter gradient of
// L = Σ context ⊙ g_c + Σ weights ⊙ g_w match PyTorch's float64 values, on every kernel variant.
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class AttentionTorchParityTests
{
    const double Tol = 1e-5;

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void Dot_LearnedAndDimensionScale_MatchesPyTorch(KernelVariant variant) => Check("attention_dot", variant);

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void General_MatchesPyTorch(KernelVariant variant) => Check("attention_general", variant);

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void Concat_WithAKey_MatchesPyTorch(KernelVariant variant) => Check("attention_concat", variant);

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void Additive_LearnedScale_Causal_MatchesPyTorch(KernelVariant variant) => Check("attention_additive", variant);

    static void Check(string name, KernelVariant variant)
    {
        var f = TorchFixture.Load(name);
        Assert.Equal("Attention", f.Module);
        var withKey = f.ConfigBool("has_key");
        int tq = f.ConfigInt("query_time"), tv = f.ConfigInt("value_time"), d = f.ConfigInt("query_dim"), dv = f.ConfigInt("value_dim");
        var score = Enum.Parse<AttentionScore>(f.Config.GetProperty("score").GetString()!);
        var layerName = f.Config.GetProperty("name").GetString()!;
        var query = new Input(tq, d) { Name = "query" };
        var value = new Input(tv, dv) { Name = "value" };
        var key = withKey ? new Input(tv, d) { Name = "key" } : null;
        Attention attention = score == AttentionScore.Additive
            ? new AdditiveAttention(learnScale: f.ConfigBool("learn_scale"), causal: f.ConfigBool("causal"), returnAttentionScores: true)
            : new Attention(new AttentionOptions
            {
                Score = score, LearnScale = f.ConfigBool("learn_scale"), ScaleByDimension = f.ConfigBool("scale_by_dimension"),
                Causal = f.ConfigBool("causal"), ReturnAttentionScores = true,
                Units = f.Config.GetProperty("units").ValueKind == System.Text.Json.JsonValueKind.Number ? f.ConfigInt("units") : null,
            });
        Assert.Equal(layerName, attention.Name);
        var (context, weights) = attention.CallWithWeights(query, value, key);
        Input[] inputs = key is null ? [query, value] : [query, value, key];
        var model = new Model(inputs, [context, weights!]);
        var kernels = KernelSet.For(variant);
        model.Kernels = kernels;
        foreach (var layer in model.Layers) layer.Kernels = kernels;

        // Every parameter of the layer comes from the fixture, and every fixture parameter is one of the layer's.
        var keys = model.GetWeights().Keys.ToArray();
        Assert.NotEmpty(keys);
        model.SetWeights(keys.ToDictionary(k => k, f.Tensor));
        foreach (var k in keys) Assert.True(f.Has("grad." + k), $"{name} has no gradient for {k}.");

        var x = inputs.Select(s => f.Tensor(s.Name)).ToArray();
        Tensor?[] masks = key is null ? [f.Tensor("query_mask"), f.Tensor("value_mask")] : [f.Tensor("query_mask"), f.Tensor("value_mask"), null];
        var outputs = model.Forward(x, training: false, masks);
        Approx.Equal(f.Data("context"), outputs[0], Tol, $"{name} context");
        Approx.Equal(f.Data("weights"), outputs[1], Tol, $"{name} weights");

        attention.ZeroGradients();
        var dInputs = model.Backward([f.Tensor("grad_context"), f.Tensor("grad_weights")]);
        for (var i = 0; i < inputs.Length; i++) Approx.Equal(f.Data("grad." + inputs[i].Name), dInputs[i]!, Tol, $"{name} ∂L/∂{inputs[i].Name}");
        foreach (var (k, p) in model.ParameterKeys()) Approx.Equal(f.Data("grad." + k), p.Gradient, Tol, $"{name} ∂L/∂{k}");
    }
}
