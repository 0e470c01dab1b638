// Sequential: a chain of layers built from an input shape given up front — a Model whose calls each take the
// previous call's output.
using LstmSharp.IO;
using LstmSharp.Layers;

namespace LstmSharp;

/// <summary>
/// Layers applied one after another, as Keras's <c>Sequential</c>: a <see cref="Model"/> whose calls form a chain.
/// Every layer is built when the model is created, from <see cref="Input"/>, so <see cref="Model.Summary"/> and
/// parameter counts are known at once; layer k starts from seed + k.
/// </summary>
public sealed class Sequential : Model
{
    /// <summary>Builds <paramref name="layers"/> for <paramref name="input"/>, initialising weights from seed 0.</summary>
    public Sequential(Input input, params Layer[] layers)
        : this(0, input, layers)
    {
    }

    /// <summary>Builds <paramref name="layers"/> for <paramref name="input"/>, initialising weights from <paramref name="seed"/>.</summary>
    public Sequential(int seed, Input input, params Layer[] layers)
        : base([input ?? throw new ArgumentNullException(nameof(input))], [Chain(input, layers)], seed)
    {
    }

    /// <summary>
    /// Calls each layer on the previous output; repeated names get a suffix (<c>lstm_1</c>). The chain's end is named
    /// <c>output</c>, as its start is <c>input</c> (the names ONNX export gives them).
    /// </summary>
    static Symbol Chain(Input input, Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0) throw new ArgumentException("A Sequential model needs at least one layer.", nameof(layers));
        var names = new Dictionary<string, int>();
        Symbol x = input;
        for (var i = 0; i < layers.Length; i++)
        {
            var layer = layers[i] ?? throw new ArgumentException($"Layer {i} is null.", nameof(layers));
            if (layer.IsBuilt) throw new ArgumentException($"Layer '{layer.Name}' is already built; a layer can belong to one model only.", nameof(layers));
            var count = names.GetValueOrDefault(layer.Name);
            names[layer.Name] = count + 1;
            if (count > 0) layer.Name = $"{layer.Name}_{count}";
            try
            {
                x = layer.Call(x);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Layer {i} ('{layer.Name}') cannot take the output of the layer before it, [batch, {Tensor.FormatShape([.. x.Shape])}]: {e.Message}", nameof(layers), e);
            }
        }
        x.Name = "output";
        return x;
    }

    /// <summary>Loads a Sequential model saved by <see cref="Model.Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid LstmSharp model file, or holds a model that is not a chain.</exception>
    public static new Sequential Load(string path, ModelFileLimits? limits = null) => Model.Load(path, limits) as Sequential
        ?? throw new InvalidDataException($"{path}: the model is a graph, not a Sequential chain; load it with Model.Load.");
}
