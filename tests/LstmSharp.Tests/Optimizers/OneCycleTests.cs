// OneCycle against PyTorch's OneCycleLR (one_cycle.json, tools/torch_fixtures/make_one_cycle_fixture.py): its rates and
// momenta per step for several settings, and Adam / SGD trajectories in which the schedule drives β1 / the momentum.
using System.Text.Json;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Optimizers;

public sealed class OneCycleTests
{
    static readonly Lazy<JsonElement[]> s_cases = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch", "one_cycle.json")));
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    });

    static JsonElement Case(string name) => s_cases.Value.Single(c => c.GetProperty("name").GetString() == name);

    static double[] Doubles(JsonElement c, string key) => [.. c.GetProperty(key).EnumerateArray().Select(v => v.GetDouble())];

    static float F(JsonElement c, string key) => c.GetProperty(key).GetSingle();

    static OneCycle Schedule(JsonElement c) => new(F(c, "max_lr"), c.GetProperty("total_steps").GetInt64(), c.GetProperty("pct_start").GetDouble(),
        F(c, "div_factor"), F(c, "final_div_factor"), c.GetProperty("anneal").GetString() == "cos" ? AnnealStrategy.Cosine : AnnealStrategy.Linear,
        c.GetProperty("three_phase").GetBoolean(), c.GetProperty("cycle_momentum").GetBoolean(), F(c, "base_momentum"), F(c, "max_momentum"));

    static void Close(double expected, double actual, double relative, string what)
        => Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"{what}: expected {expected:R}, received {actual:R}");

    public static TheoryData<string> Names => new(s_cases.Value.Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(Names))]
    public void Rate_MatchesTorchOneCycleLR(string name)
    {
        var c = Case(name);
        var schedule = Schedule(c);
        var rates = Doubles(c, "rates");
        for (var t = 0; t < rates.Length; t++) Close(rates[t], schedule.Rate(t), 1e-6, $"{name} rate of step {t}");
        if (!c.GetProperty("cycle_momentum").GetBoolean())
        {
            Assert.Null(schedule.Momentum(0));
            return;
        }
        var momenta = Doubles(c, "momenta");
        for (var t = 0; t < momenta.Length; t++) Close(momenta[t], schedule.Momentum(t)!.Value, 1e-6, $"{name} momentum of step {t}");
    }

    [Fact]
    public void Rate_AfterTheLastStep_HoldsTheLast()
    {
        var c = Case("adam_cos");
        var schedule = Schedule(c);
        var last = Doubles(c, "rates")[^1];
        foreach (var t in new long[] { 100, 101, 10_000 })
        {
            Close(last, schedule.Rate(t), 1e-6, $"rate of step {t}");
            Assert.Equal(schedule.Momentum(99), schedule.Momentum(t));
        }
    }

    [Theory]
    [InlineData("adam_trajectory")]
    [InlineData("sgd_trajectory")]
    public void Optimizer_TakesTheCycledMomentum_AsTorch(string name)
    {
        var c = Case(name);
        Optimizer optimizer = c.GetProperty("optimizer").GetString() == "Adam"
            ? new Adam(1f, 0.9f, F(c, "beta2"), F(c, "epsilon")) { Schedule = Schedule(c) }
            : new Sgd(1f, F(c, "sgd_momentum")) { Schedule = Schedule(c) };
        var (start, gradients, weights, momenta) = (Doubles(c, "start"), Doubles(c, "gradients"), Doubles(c, "weights"), Doubles(c, "momenta"));
        var p = new Parameter("w", new Tensor([.. start.Select(v => (float)v)], 3));
        for (var t = 0; t < momenta.Length; t++)
        {
            for (var i = 0; i < 3; i++) p.Gradient.Span[i] = (float)gradients[3 * t + i];
            optimizer.Step([p]);
            var momentum = optimizer is Adam adam ? adam.Beta1 : ((Sgd)optimizer).Momentum;
            Close(momenta[t], momentum, 1e-6, $"momentum of step {t}");
            for (var i = 0; i < 3; i++)
                Assert.True(Math.Abs(p.Value.Span[i] - weights[3 * t + i]) <= 1e-6, $"w[{i}] after step {t}: expected {weights[3 * t + i]:R}, received {p.Value.Span[i]:R}");
        }
    }

    [Fact]
    public void AdamW_TakesTheCycledMomentumAsBeta1()
    {
        var c = Case("adamw_short");
        var schedule = Schedule(c);
        var adamW = new AdamW(1f) { Schedule = schedule };
        var p = new Parameter("w", Tensor.Zeros(2));
        for (var t = 0; t < 3; t++)
        {
            adamW.Step([p]);
            Assert.Equal(schedule.Momentum(t)!.Value, adamW.Beta1);
        }
    }

    [Fact]
    public void Adagrad_WithCycledMomentum_IsRefused()
    {
        var adagrad = new Adagrad(1f) { Schedule = new OneCycle(0.1f, 10) };
        var error = Assert.Throws<InvalidOperationException>(() => adagrad.Step([new Parameter("w", Tensor.Zeros(1))]));
        Assert.Contains("cycleMomentum: false", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0f, 10L, 0.3, 25f, 1e4f, 0.85f, 0.95f, "maxRate")]
    [InlineData(0.1f, 0L, 0.3, 25f, 1e4f, 0.85f, 0.95f, "totalSteps")]
    [InlineData(0.1f, 10L, 1.5, 25f, 1e4f, 0.85f, 0.95f, "pctStart")]
    [InlineData(0.1f, 10L, 0.1, 25f, 1e4f, 0.85f, 0.95f, "pctStart")] // the rise would end at step 0.1·10 − 1 = 0
    [InlineData(0.1f, 10L, 0.3, 0f, 1e4f, 0.85f, 0.95f, "divFactor")]
    [InlineData(0.1f, 10L, 0.3, 25f, -1f, 0.85f, 0.95f, "finalDivFactor")]
    [InlineData(0.1f, 10L, 0.3, 25f, 1e4f, 1f, 0.95f, "baseMomentum")]
    [InlineData(0.1f, 10L, 0.3, 25f, 1e4f, 0.85f, -0.1f, "maxMomentum")]
    public void Constructor_BadArgument_NamesIt(float maxRate, long totalSteps, double pctStart, float divFactor, float finalDivFactor, float baseMomentum, float maxMomentum, string name)
        => Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() =>
            new OneCycle(maxRate, totalSteps, pctStart, divFactor, finalDivFactor, baseMomentum: baseMomentum, maxMomentum: maxMomentum)).ParamName);

    [Fact]
    public void Constructor_UnknownAnneal_NamesIt()
        => Assert.Equal("anneal", Assert.Throws<ArgumentOutOfRangeException>(() => new OneCycle(0.1f, 10, anneal: (AnnealStrategy)7)).ParamName);
}
