// The short version of the MNIST-rows experiment (docs/experiments.md): a small LSTM reading 28 rows of 28
// pixels learns to classify digits from a couple of thousand samples in a few epochs.
using LstmSharp.Data;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Models;

public sealed class MnistRowsTests
{
    [Fact]
    public void Lstm_ReadsDigitsRowByRow()
    {
        var root = Repository.Root;
        var images = Idx.ReadImages(Path.Combine(root, "data", "mnist10k-images-idx3-ubyte.gz"));
        var labels = Idx.ReadLabels(Path.Combine(root, "data", "mnist10k-labels-idx1-ubyte.gz"));
        // The file is sorted by class: take a seeded shuffle, 2,000 to train and 500 to test.
        var order = Enumerable.Range(0, images.Dim(0)).ToArray();
        new Random(3).Shuffle(order);
        (Tensor X, Tensor Y) Take(int start, int count)
        {
            var x = Tensor.Zeros(count, 28, 28);
            var y = Tensor.Zeros(count);
            for (var i = 0; i < count; i++)
            {
                images.Slice(order[start + i]).Span.CopyTo(x.Span.Slice(i * 784, 784));
                y.Span[i] = labels.Span[order[start + i]];
            }
            return (x, y);
        }
        var (xTrain, yTrain) = Take(0, 2000);
        var (xTest, yTest) = Take(2000, 500);
        var model = new Sequential(2, new Input(28, 28), new Lstm(48), new Dense(10, Activation.Softmax));
        model.Compile(new Adam(0.005f), new SparseCategoricalCrossentropy(), new SparseCategoricalAccuracy());
        model.Fit(xTrain, yTrain, new FitOptions { Epochs = 4, BatchSize = 32, Seed = 2 });
        var accuracy = model.Evaluate(xTest, yTest)["accuracy"];
        Assert.True(accuracy >= 0.85f, $"test accuracy {accuracy:P1}");
    }
}
