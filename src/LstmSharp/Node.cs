// Node: one call of a layer in the graph — its layer, input and output symbols, and the scratch arrays through
// which the model hands the layer its tensors (so a forward or backward pass allocates nothing).
using LstmSharp.Layers;

namespace LstmSharp;

/// <summary>
/// One layer call (Keras's <c>Node</c>). Nodes are numbered in creation order, which is topological: a call can
/// only consume symbols that already exist, so a model runs its nodes by <see cref="Order"/> forwards and in
/// reverse for the backward pass.
/// </summary>
internal sealed class Node
{
    static long _created;

    Node(Layer layer, Symbol[] inputs)
    {
        Layer = layer;
        Inputs = inputs;
        Order = Interlocked.Increment(ref _created);
        InputValues = new Tensor[inputs.Length];
        InputMasks = new Tensor?[inputs.Length];
        DInputs = new Tensor?[inputs.Length];
    }

    /// <summary>Calls <paramref name="layer"/> on <paramref name="inputs"/>: checks the shapes and creates the output symbols.</summary>
    public static Node Create(Layer layer, Symbol[] inputs)
    {
        for (var i = 0; i < inputs.Length; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"{layer.GetType().Name} '{layer.Name}': input {i} is null.");
        var outputs = layer.NodeOutputs(inputs);
        var node = new Node(layer, inputs);
        node.Outputs = new Symbol[outputs.Length];
        for (var k = 0; k < outputs.Length; k++) node.Outputs[k] = new Symbol(node, k, outputs[k].Shape, outputs[k].HasMask);
        node.OutputValues = new Tensor[outputs.Length];
        node.OutputMasks = new Tensor?[outputs.Length];
        node.DOutputs = new Tensor?[outputs.Length];
        return node;
    }

    public Layer Layer { get; }

    public Symbol[] Inputs { get; }

    public Symbol[] Outputs { get; private set; } = [];

    /// <summary>Creation order, global; a node consumes only symbols of nodes with a smaller order.</summary>
    public long Order { get; }

    // Filled by the model before Run / RunBackward, and by the layer in them.
    public Tensor[] InputValues { get; }
    public Tensor?[] InputMasks { get; }
    public Tensor[] OutputValues { get; private set; } = [];
    public Tensor?[] OutputMasks { get; private set; } = [];
    /// <summary>∂loss/∂output k, or null where output k received no gradient (counts as zero).</summary>
    public Tensor?[] DOutputs { get; private set; } = [];
    /// <summary>∂loss/∂input i set by the layer, or null where it has none (e.g. token ids).</summary>
    public Tensor?[] DInputs { get; }
}
