// KerasImport: loads a Keras 3 .weights.h5 file into a model built with the same layers.
// Keras stores kernels [in, out] with one bias (LSTM gates i, f, c, o; GRU z, r, h with two bias rows when
// reset_after); ours are PyTorch's [out, in] with two biases (LSTM i, f, g, o; GRU r, z, n), so kernels are
// transposed, GRU gate blocks reordered, and Keras's single bias becomes bias_ih with bias_hh zero.
using LstmSharp.Layers;
using PureHDF;
using PureHDF.VOL.Native;

namespace LstmSharp.Keras;

/// <summary>Imports Keras 3 weights (<c>model.save_weights("….weights.h5")</c>) into a model.</summary>
public static class KerasImport
{
    /// <summary>
    /// Copies the weights in <paramref name="path"/> into <paramref name="model"/>. Each layer reads the group
    /// <c>layers/&lt;name&gt;</c>, where the name is the layer's own unless <paramref name="layerNames"/> maps it
    /// to another. Keras names these groups after the layer classes (<c>lstm</c>, <c>lstm_1</c>, <c>dense</c>,
    /// <c>simple_rnn</c>, …) whatever names the layers were given, as LstmSharp names layers by default.
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not fit the model; the message names the dataset and the shapes.</exception>
    public static void LoadWeights(Model model, string path, IReadOnlyDictionary<string, string>? layerNames = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        NativeFile file;
        try
        {
            file = H5File.OpenRead(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: not a readable HDF5 file ({e.Message}).", e);
        }
        using (file)
        {
            var weights = new Dictionary<string, Tensor>();
            foreach (var layer in model.Layers)
            {
                if (layer.Parameters.Count == 0) continue;
                var group = "layers/" + (layerNames is not null && layerNames.TryGetValue(layer.Name, out var n) ? n : layer.Name);
                var reader = new Reader(file, path);
                switch (layer)
                {
                    case Bidirectional bi:
                        Recurrent(reader, bi.ForwardLayer, group + "/forward_layer/cell/vars", "", layer.Name, weights);
                        Recurrent(reader, bi.BackwardLayer, group + "/backward_layer/cell/vars", "_reverse", layer.Name, weights);
                        break;
                    case Rnn rnn:
                        Recurrent(reader, rnn, group + "/cell/vars", "", layer.Name, weights);
                        break;
                    case Dense dense:
                        weights[$"{layer.Name}.weight"] = Transpose(reader.Read(group + "/vars/0", dense.InputSize, dense.Units));
                        weights[$"{layer.Name}.bias"] = reader.Read(group + "/vars/1", dense.Units);
                        break;
                    case Embedding embedding:
                        weights[$"{layer.Name}.weight"] = reader.Read(group + "/vars/0", embedding.VocabularySize, embedding.Dimension);
                        break;
                    default:
                        throw new InvalidDataException($"{path}: layer '{layer.Name}' ({layer.GetType().Name}) has no Keras import.");
                }
            }
            model.SetWeights(weights);
        }
    }

    static void Recurrent(Reader reader, Rnn rnn, string vars, string suffix, string layerName, Dictionary<string, Tensor> weights)
    {
        int H = rnn.Units, I = rnn.InputSize;
        var gates = rnn switch { Lstm => 4, Gru => 3, _ => 1 };
        if (rnn is Lstm { LstmOptions.Peepholes: true })
            throw new InvalidDataException($"{reader.Path}: layer '{layerName}' has peepholes, which Keras's LSTM does not.");
        var kernel = reader.Read(vars + "/0", I, gates * H);
        var recurrent = reader.Read(vars + "/1", H, gates * H);
        Tensor biasIh, biasHh;
        if (rnn is Gru)
        {
            var bias = reader.Read(vars + "/2", 2, gates * H, hint: "a GRU with reset_after=False has one bias row and cannot be represented");
            biasIh = bias.Slice(0).Clone();
            biasHh = bias.Slice(1).Clone();
        }
        else
        {
            biasIh = reader.Read(vars + "/2", gates * H);
            biasHh = Tensor.Zeros(gates * H);
        }
        // Keras GRU blocks are (z, r, h); ours (r, z, n).
        int[] order = rnn is Gru ? [1, 0, 2] : [.. Enumerable.Range(0, gates)];
        var prefix = $"{layerName}.";
        weights[prefix + "weight_ih_l0" + suffix] = Reorder(Transpose(kernel), order, H);
        weights[prefix + "weight_hh_l0" + suffix] = Reorder(Transpose(recurrent), order, H);
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

    readonly struct Reader(NativeFile file, string path)
    {
        public string Path => path;

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
