// TorchPeer: TorchSharp (libtorch) inference and training step of the same network: nn.LSTM or nn.GRU with
// batch_first = true and our weights (PyTorch's names, shapes and gate orders are ours, so no conversion).
// libLibTorchSharp.so only loads on Debian 12 after bench/weaken_glibcxx.py (run by the build); see README.
using TorchSharp;
using static TorchSharp.torch;
using TorchTensor = TorchSharp.torch.Tensor;

namespace LstmSharp.Bench;

internal sealed class TorchPeer : IDisposable
{
    readonly nn.Module _rnn;
    readonly Func<TorchTensor> _forward;   // the module's output [B, T, H]; the final states are dropped
    readonly TorchSharp.Modules.SGD _sgd;
    readonly TorchTensor _input;
    readonly TorchTensor _dOutput;

    public TorchPeer(OurRnn ours)
    {
        var config = ours.Config;
        _input = tensor(ours.Input.ToArray(), [config.Batch, config.Steps, config.Inputs]);
        switch (config.Cell)
        {
            case CellKind.Lstm:
                var lstm = nn.LSTM(config.Inputs, config.Units, numLayers: config.Layers, batchFirst: true);
                (_rnn, _forward) = (lstm, () => lstm.forward(_input).Item1);
                break;
            case CellKind.Gru:
                var gru = nn.GRU(config.Inputs, config.Units, numLayers: config.Layers, batchFirst: true);
                (_rnn, _forward) = (gru, () => gru.forward(_input).Item1);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(ours), config.Cell, "Unknown cell kind.");
        }
        using (no_grad())
        {
            foreach (var (name, parameter) in _rnn.named_parameters())
            {
                // weight_ih_l1 → layer 1, weight_ih
                var cut = name.LastIndexOf("_l", StringComparison.Ordinal);
                var layer = int.Parse(name[(cut + 2)..], System.Globalization.CultureInfo.InvariantCulture);
                var source = ours.Parameter(layer, name[..cut]).Value;
                using var values = tensor(source.ToArray(), parameter.shape);
                parameter.copy_(values);
            }
        }
        _dOutput = tensor(ours.DOutput.ToArray(), [config.Batch, config.Steps, config.Units]);
        _sgd = optim.SGD(_rnn.parameters(), learningRate: 0.01);
    }

    /// <summary>The TorchSharp package version and the libtorch version it reports.</summary>
    public static string Version => $"TorchSharp {typeof(torch).Assembly.GetName().Version?.ToString(3)}, libtorch {__version__}";

    /// <summary>Sets libtorch's intra-op (OpenMP) thread count.</summary>
    public static void SetThreads(int threads) => set_num_threads(threads);

    public static int Threads => get_num_threads();

    /// <summary>Inference: forward under no_grad; returns a copy of the output [B, T, H].</summary>
    public float[] ForwardOutput()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _forward().data<float>().ToArray();
    }

    /// <summary>Inference as timed: forward under no_grad, every tensor freed at the end.</summary>
    public void Forward()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _forward();
    }

    /// <summary>One training step: zero_grad, forward, backward of sum(output ⊙ dOutput), SGD (lr 0.01).</summary>
    public void TrainStep()
    {
        ComputeGradients();
        _sgd.step();
    }

    /// <summary>Clears and fills the gradients by one forward and backward pass, without updating the weights.</summary>
    public void ComputeGradients()
    {
        using var scope = NewDisposeScope();
        _sgd.zero_grad();
        (_forward() * _dOutput).sum().backward();
    }

    /// <summary>The gradient of parameter <paramref name="name"/> (e.g. weight_ih_l0).</summary>
    public float[] Gradient(string name)
    {
        var parameter = _rnn.named_parameters().Single(p => p.name == name).parameter;
        return parameter.grad!.data<float>().ToArray();
    }

    public void Dispose()
    {
        _sgd.Dispose();
        _input.Dispose();
        _dOutput.Dispose();
        _rnn.Dispose();
    }
}
