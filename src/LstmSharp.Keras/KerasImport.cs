// KerasImport: loads Keras weights (a Keras 3 .weights.h5 file, or a Keras 2 HDF5 file) into a model built with the
// same layers; KerasImport.Archive.cs builds the model itself from a .keras archive.
// Keras stores kernels [in, out] with one bias (LSTM gates i, f, c, o; GRU z, r, h with two bias rows when
// reset_after); ours are PyTorch's [out, in] with two biases (LSTM i, f, g, o; GRU r, z, n), so kernels are
// transposed, GRU gate blocks reordered, and Keras's single bias becomes bias_ih with bias_hh zero.
using LstmSharp.Layers;
using PureHDF;
using PureHDF.VOL.Native;

namespace LstmSharp.Keras;

/// <summary>
/// Imports Keras models: the architecture and weights of a Keras 3 <c>.keras</c> archive (<see cref="Load"/>), or the
/// weights alone (<see cref="LoadWeights"/>) of a Keras 3 <c>.weights.h5</c> file or a Keras 2 HDF5 file.
/// </summary>
public static partial class KerasImport
{
    /// <summary>
    /// Copies the weights in <paramref name="path"/> into <paramref name="model"/>. Each layer reads the group
    /// <c>layers/&lt;name&gt;</c>, where the name is the layer's own unless <paramref name="layerNames"/> maps it
    /// to another. Keras names these groups after the layer classes (<c>lstm</c>, <c>lstm_1</c>, <c>dense</c>,
    /// <c>simple_rnn</c>, …) whatever names the layers were given, as LstmSharp names layers by default. A Keras 2 file
    /// (<c>model.save("m.h5")</c> or <c>model.save_weights("w.h5")</c>: <c>[model_weights/]&lt;layer&gt;/&lt;layer&gt;/kernel:0</c>, …)
    /// is read by the layers' own names, each weight found by its name (kernel, recurrent_kernel, bias, embeddings;
    /// a Bidirectional's halves under <c>forward_…</c> and <c>backward_…</c>).
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not fit the model; the message names the dataset and the shapes.</exception>
    public static void LoadWeights(Model model, string path, IReadOnlyDictionary<string, string>? layerNames = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        using var file = Open(path, () => H5File.OpenRead(path));
        CopyWeights(model, new Reader(file, path), layerNames);
    }

    static NativeFile Open(string path, Func<NativeFile> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: not a readable HDF5 file ({e.Message}).", e);
        }
    }

    static void CopyWeights(Model model, Reader reader, IReadOnlyDictionary<string, string>? layerNames)
    {
        var weights = new Dictionary<string, Tensor>();
        foreach (var layer in model.Layers)
        {
            if (layer.Parameters.Count == 0) continue;
            var key = layerNames is not null && layerNames.TryGetValue(layer.Name, out var n) ? n : layer.Name;
            switch (layer)
            {
                case Bidirectional bi:
                    Recurrent(reader, bi.ForwardLayer, key, "forward_layer", "", layer.Name, weights);
                    Recurrent(reader, bi.BackwardLayer, key, "backward_layer", "_reverse", layer.Name, weights);
                    break;
                case Rnn rnn:
                    Recurrent(reader, rnn, key, "", "", layer.Name, weights);
                    break;
                case Dense dense:
                    DenseWeights(reader, dense, key, "", layer.Name, weights);
                    break;
                case TimeDistributed { Inner: Dense dense }:
                    DenseWeights(reader, dense, key, "layer", layer.Name, weights);
                    break;
                case Embedding embedding:
                    weights[$"{layer.Name}.weight"] = reader.Read(reader.Dataset(key, "", "embeddings", 0, cell: false), embedding.VocabularySize, embedding.Dimension);
                    break;
                default:
                    throw new InvalidDataException($"{reader.Path}: layer '{layer.Name}' ({layer.GetType().Name}) has no Keras import.");
            }
        }
        model.SetWeights(weights);
    }

    static void DenseWeights(Reader reader, Dense dense, string key, string part, string layerName, Dictionary<string, Tensor> weights)
    {
        weights[$"{layerName}.weight"] = Transpose(reader.Read(reader.Dataset(key, part, "kernel", 0, cell: false), dense.InputSize, dense.Units));
        weights[$"{layerName}.bias"] = reader.Read(reader.Dataset(key, part, "bias", 1, cell: false), dense.Units);
    }

    static void Recurrent(Reader reader, Rnn rnn, string key, string part, string suffix, string layerName, Dictionary<string, Tensor> weights)
    {
        int H = rnn.Units, I = rnn.InputSize;
        var gates = rnn switch { Lstm => 4, Gru => 3, _ => 1 };
        if (rnn is Lstm { LstmOptions.Peepholes: true })
            throw new InvalidDataException($"{reader.Path}: layer '{layerName}' has peepholes, which Keras's LSTM does not.");
        var kernel = reader.Read(reader.Dataset(key, part, "kernel", 0, cell: true), I, gates * H);
        var recurrent = reader.Read(reader.Dataset(key, part, "recurrent_kernel", 1, cell: true), H, gates * H);
        // Keras GRU blocks are (z, r, h); ours (r, z, n).
        int[] order = rnn is Gru ? [1, 0, 2] : [.. Enumerable.Range(0, gates)];
        var prefix = $"{layerName}.";
        weights[prefix + "weight_ih_l0" + suffix] = Reorder(Transpose(kernel), order, H);
        weights[prefix + "weight_hh_l0" + suffix] = Reorder(Transpose(recurrent), order, H);
        if (!rnn.Options.UseBias) return;
        var biasName = reader.Dataset(key, part, "bias", 2, cell: true);
        Tensor biasIh, biasHh;
        if (rnn is Gru { ResetAfter: true })
        {
            // reset_after keeps an input and a recurrent bias row, ours b_ih and b_hh.
            var bias = reader.Read(biasName, 2, gates * H, hint: "a GRU with reset_after=True has two bias rows; build the layer with GruOptions.ResetAfter = false for one");
            biasIh = bias.Slice(0).Clone();
            biasHh = bias.Slice(1).Clone();
        }
        else
        {
            // One bias (LSTM, SimpleRNN, the reset-before GRU, where every block is a plain sum): all of it in b_ih.
            biasIh = reader.Read(biasName, gates * H);
            biasHh = Tensor.Zeros(gates * H);
        }
        weights[prefix + "bias_ih_l0" + suffix] = Reorder(biasIh, order, H);
        weights[prefix + "bias_hh_l0" + suffix] = Reorder(biasHh, order, H);
    }

    /// <summary>[rows, cols] → [cols, rows].</summary>
    static Tensor Transpose(Tensor t)
    {
        int rows = t.Dim(0), cols = t.Dim(1);
        var result = Tensor.Zeros(cols, rows);
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                result.Span[c * rows + r] = t.Span[r * cols + c];
        return result;
    }

    /// <summary>Our block k (of H rows) is the source's block order[k].</summary>
    static Tensor Reorder(Tensor t, int[] order, int H)
    {
        var width = t.Length / (order.Length * H);
        var result = Tensor.Zeros(t.Shape.ToArray());
        for (var k = 0; k < order.Length; k++)
            t.Span.Slice(order[k] * H * width, H * width).CopyTo(result.Span.Slice(k * H * width, H * width));
        return result;
    }

    /// <summary>
    /// Finds and reads the datasets of one weights file: Keras 3's by position (<c>layers/&lt;key&gt;/[part/][cell/]vars/i</c>),
    /// Keras 2's by name under <c>[model_weights/]&lt;key&gt;</c>.
    /// </summary>
    sealed class Reader(NativeFile file, string path)
    {
        readonly bool _legacy = !file.LinkExists("layers");

        public string Path => path;

        /// <summary>The dataset of weight <paramref name="role"/> (Keras 3: the <paramref name="index"/>-th variable) of layer <paramref name="key"/>.</summary>
        public string Dataset(string key, string part, string role, int index, bool cell)
        {
            if (!_legacy) return $"layers/{key}/" + (part.Length > 0 ? part + "/" : "") + (cell ? "cell/" : "") + $"vars/{index}";
            var group = (file.LinkExists("model_weights") ? "model_weights/" : "") + key;
            if (!file.LinkExists(group))
                throw new InvalidDataException($"{path}: the Keras 2 file has no layer group '{group}'. Check the layer names (the Keras model's own: lstm, lstm_1, dense, …).");
            var all = Datasets(file.Group(group), group).ToArray();
            // A Bidirectional's halves live under forward_<layer> and backward_<layer>; a TimeDistributed's inner layer has no group of its own.
            var direction = part.EndsWith("_layer", StringComparison.Ordinal) ? part[..^"layer".Length] : null;
            var found = all.Where(d =>
            {
                var segments = d.Split('/');
                return segments[^1].Split(':')[0] == role
                    && (direction is null ? !segments.Any(s => s.StartsWith("forward_", StringComparison.Ordinal) || s.StartsWith("backward_", StringComparison.Ordinal))
                        : segments.Any(s => s.StartsWith(direction, StringComparison.Ordinal)));
            }).ToArray();
            return found.Length == 1 ? found[0] : throw new InvalidDataException(
                $"{path}: layer group '{group}' has {(found.Length == 0 ? "no" : found.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))} '{role}' weight{(direction is null ? "" : $" under {direction}…")}; its datasets: {string.Join(", ", all)}.");
        }

        static IEnumerable<string> Datasets(IH5Group group, string at)
        {
            foreach (var child in group.Children())
            {
                var name = $"{at}/{child.Name}";
                if (child is IH5Group inner)
                {
                    foreach (var d in Datasets(inner, name)) yield return d;
                }
                else if (child is IH5Dataset)
                {
                    yield return name;
                }
            }
        }

        public Tensor Read(string dataset, params int[] shape) => Read(dataset, shape, null);

        public Tensor Read(string dataset, int rows, int cols, string hint) => Read(dataset, [rows, cols], hint);

        Tensor Read(string dataset, int[] shape, string? hint)
        {
            if (!file.LinkExists(dataset))
                throw new InvalidDataException($"{path}: the file has no dataset '{dataset}'. Check the layer names (Keras's are lstm, lstm_1, dense, …).");
            var ds = file.Dataset(dataset);
            var dims = ds.Space.Dimensions.Select(d => (int)d).ToArray();
            if (!dims.SequenceEqual(shape))
            {
                throw new InvalidDataException(
                    $"{path}: dataset '{dataset}' is [{string.Join(", ", dims)}] but the model needs [{string.Join(", ", shape)}]" + (hint is null ? "." : $" ({hint})."));
            }
            return new Tensor(ds.Read<float[]>(), shape);
        }
    }
}
