// LanguageModel.Activations: the gates and states of one LSTM layer at every token of a text, for Karpathy, Johnson
// & Fei-Fei's (2015) cell visualisation — the model reads the text from a zero state, and Lstm.Activations gives the trace.
using LstmSharp.Layers;

namespace LstmSharp.Text;

public sealed partial class LanguageModel
{
    /// <summary>The network's LSTM layers, in order (layer 0 reads the embeddings).</summary>
    public IReadOnlyList<Lstm> LstmLayers => [.. Model.Layers.OfType<Lstm>()];

    /// <summary>
    /// Reads <paramref name="text"/> from a zero state and returns <paramref name="which"/> of LSTM layer
    /// <paramref name="layer"/> (0 = the first, see <see cref="LstmLayers"/>) at every token: <c>[tokens, units]</c>.
    /// The layers' carried state is reset before and after, so generation and scoring are not affected.
    /// </summary>
    /// <exception cref="ArgumentException">The text has no tokens.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not an LSTM layer of the network.</exception>
    public TextActivations Activations(string text, int layer, LstmActivation which)
    {
        ArgumentNullException.ThrowIfNull(text);
        var layers = LstmLayers;
        if ((uint)layer >= (uint)layers.Count)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The network has {layers.Count} LSTM layer(s), numbered 0 to {layers.Count - 1}; received layer {layer}.");
        var ids = Encode(text);
        if (ids.Length == 0)
            throw new ArgumentException($"The text '{IO.SafeTensors.Excerpt(text)}' has no tokens the model's tokenizer reads; give a longer text.", nameof(text));
        Model.ResetStates();
        Model.Forward(new Tensor([.. ids.Select(i => (float)i)], 1, ids.Length));
        var values = layers[layer].Activations(which).Reshape(ids.Length, layers[layer].Units);
        Model.ResetStates();
        var ranges = Tokenizer.Offsets(text);
        var tokens = Tokenizer.Split(text).Select((token, i) => new LocatedToken(token, ranges?[i])).ToArray();
        return new TextActivations(text, tokens, layer, which, values);
    }
}
