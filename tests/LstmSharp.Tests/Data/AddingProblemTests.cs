using LstmSharp.Data;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class AddingProblemTests
{
    [Fact]
    public void Generate_FollowsTheDefinition()
    {
        const int N = 300, T = 40;
        var (x, y) = AddingProblem.Generate(N, T, seed: 4);
        Assert.True(x.HasShape(N, T, 2));
        for (var s = 0; s < N; s++)
        {
            var marked = new List<int>();
            for (var t = 0; t < T; t++)
            {
                var (value, marker) = (x[s, t, 0], x[s, t, 1]);
                Assert.InRange(value, -1f, 1f);
                if (marker == 1f) marked.Add(t);
                else if (t == 0 || t == T - 1) Assert.Equal(-1f, marker);
                else Assert.Equal(0f, marker);
            }
            Assert.Equal(2, marked.Count);
            Assert.True(marked.Min() < 10);
            Assert.True(marked.Max() < T / 2);
            Assert.Equal(0.5f + (x[s, marked[0], 0] + x[s, marked[1], 0]) / 4f, y[s, 0], 6);
        }
        Assert.Equal(AddingProblem.Generate(5, T, 4).X.ToArray(), AddingProblem.Generate(5, T, 4).X.ToArray());
    }

    [Fact]
    public void SolvedFraction_CountsErrorsBelowTolerance() =>
        Assert.Equal(0.5, AddingProblem.SolvedFraction(new Tensor([0.5f, 0.55f], 2, 1), new Tensor([0.53f, 0.5f], 2, 1)));

    [Fact]
    public void Lstm_SolvesShortAddingProblem()
    {
        // The short version of docs/experiments.md: 20 steps instead of 100, a small budget.
        var (x, y) = AddingProblem.Generate(4000, 20, seed: 1);
        var (xTest, yTest) = AddingProblem.Generate(500, 20, seed: 2);
        var model = new Sequential(1, new Input(20, 2), new Lstm(16), new Dense(1));
        model.Compile(new Adam(0.01f) { GlobalClipNorm = 1f }, new MeanSquaredError());
        model.Fit(x, y, new FitOptions { Epochs = 6, BatchSize = 32, Seed = 1 });
        var solved = AddingProblem.SolvedFraction(model.Predict(xTest, 250), yTest);
        Assert.True(solved >= 0.9, $"solved {solved:P1}");
    }
}
