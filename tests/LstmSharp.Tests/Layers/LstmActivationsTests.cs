// Lstm.Activations against the LSTM written again in double (Reference.Lstm's per-step trace): every gate, the cell
// and the hidden state at every step, forwards and backwards, with and without peepholes; and the read-only contract.
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class LstmActivationsTests
{
    const int B = 2, T = 5, I = 3, H = 4;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Activations_EveryGateAndState_MatchHandComputedStepsInDouble(bool peepholes, bool goBackwards)
    {
        var lstm = new Lstm(H, new() { Peepholes = peepholes, GoBackwards = goBackwards, ReturnSequences = true, Name = "lstm" });
        lstm.Build([T, I], seed: 2);
        var v = GradientCheck.RandomizeParameters(lstm, "", seed: 60);
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 61, 1f), B, T, I);
        var before = lstm.Forward(x).ToArray();

        var trace = Enumerable.Range(0, 6).Select(_ => new double[B * T * H]).ToArray();
        var zeros = new double[B * H];
        Reference.Lstm(x.ToDouble(), B, T, I, H, v["weight_ih_l0"], v["weight_hh_l0"], v["bias_ih_l0"], v["bias_hh_l0"],
            peepholes ? v["weight_peephole_l0"] : null, zeros, zeros, goBackwards, trace: trace);
        LstmActivation[] order = [LstmActivation.InputGate, LstmActivation.ForgetGate, LstmActivation.Candidate, LstmActivation.OutputGate, LstmActivation.Cell, LstmActivation.Hidden];
        for (var q = 0; q < order.Length; q++)
        {
            var values = lstm.Activations(order[q]);
            Assert.Equal([B, T, H], values.Shape.ToArray());
            Approx.Equal(trace[q], values, 1e-5, order[q].ToString());
        }
        // Reading changes nothing: the output buffer and a second read are as before.
        Assert.Equal(before, lstm.Forward(x).ToArray());
        Assert.Equal(lstm.Activations(LstmActivation.Cell).ToArray(), lstm.Activations(LstmActivation.Cell).ToArray());
    }

    [Fact]
    public void Activations_BeforeAnyForwardOrUndefined_IsRefused()
    {
        var lstm = new Lstm(H);
        lstm.Build([T, I]);
        Assert.Contains("has not run a forward pass", Assert.Throws<InvalidOperationException>(() => lstm.Activations(LstmActivation.Cell)).Message);
        lstm.Forward(Tensor.Zeros(1, T, I));
        Assert.Throws<ArgumentOutOfRangeException>(() => lstm.Activations((LstmActivation)9));
    }
}
