// TorchImport: loads a PyTorch state_dict saved as safetensors into a model. PyTorch's names and
// shapes are ours (weight_ih_l{k}[_reverse], weight, bias), so no reshaping is needed: the work is matching
// modules to layers — by an explicit map, or by order and shape when that is unambiguous.
using System.Globalization;
using System.Text.RegularExpressions;
using LstmSharp.Layers;

namespace LstmSharp.IO;

/// <summary>Imports PyTorch weights (a <c>state_dict</c> saved with <c>safetensors</c>) into a model.</summary>
public static partial class TorchImport
{
    [GeneratedRegex(@"^(?<prefix>.*?)\.?(?<param>weight_ih|weight_hh|bias_ih|bias_hh)_l(?<layer>\d+)(?<reverse>_reverse)?$")]
    private static partial Regex RecurrentName();

    sealed record Group(string Prefix, int Layer, bool Recurrent)
    {
        public Dictionary<string, Tensor> Tensors { get; } = [];
        public Dictionary<string, string> TorchNames { get; } = [];
        public bool Used { get; set; }

        public string Label => Recurrent ? $"{Prefix} layer {Layer}" : Prefix;
    }

    /// <summary>
    /// Copies the tensors of the state_dict in <paramref name="path"/> into <paramref name="model"/>. A layer is
    /// matched to a PyTorch module through <paramref name="modules"/> (our layer name → module prefix, with
    /// <c>@k</c> for layer k of a stacked nn.LSTM/GRU/RNN, e.g. <c>"encoder.lstm@1"</c>), or else to the one
    /// unused module whose kind and shapes fit, taking a stacked module's layers in order. Every tensor of the
    /// file must find a place; shape mismatches name the tensor and both shapes.
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not fit the model; the message says where.</exception>
    public static void LoadStateDict(Model model, string path, IReadOnlyDictionary<string, string>? modules = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var file = SafeTensors.Read(path);
        var groups = new List<Group>();
        foreach (var (name, tensor) in file.Tensors)
        {
            var m = RecurrentName().Match(name);
            Group group;
            string param;
            if (m.Success)
            {
                var prefix = m.Groups["prefix"].Value;
                var layer = int.Parse(m.Groups["layer"].Value, CultureInfo.InvariantCulture);
                group = groups.Find(g => g.Recurrent && g.Prefix == prefix && g.Layer == layer) ?? Add(new Group(prefix, layer, true));
                param = m.Groups["param"].Value + "_l0" + m.Groups["reverse"].Value;
            }
            else
            {
                var dot = name.LastIndexOf('.');
                var prefix = dot < 0 ? "" : name[..dot];
                group = groups.Find(g => !g.Recurrent && g.Prefix == prefix) ?? Add(new Group(prefix, 0, false));
                param = name[(dot + 1)..];
            }
            group.Tensors[param] = tensor;
            group.TorchNames[param] = name;
        }

        var weights = new Dictionary<string, Tensor>();
        foreach (var layer in model.Layers)
        {
            if (layer is Model or TimeDistributed { Inner: Model })
            {
                var nested = layer as Model ?? (Model)((TimeDistributed)layer).Inner;
                throw new InvalidDataException($"{path}: layer '{layer.Name}' is a model inside the model; load the state_dict into '{nested.Name}' itself.");
            }
            var target = layer is TimeDistributed td ? td.Inner : layer;
            var needed = target.Parameters.ToDictionary(p => p.Name, p => p.Value);
            if (needed.Count == 0) continue;
            var group = modules is not null && modules.TryGetValue(layer.Name, out var mapped)
                ? Mapped(path, groups, layer, mapped)
                : Matching(path, groups, layer, target, needed);
            foreach (var (param, value) in needed)
            {
                if (!group.Tensors.TryGetValue(param, out var stored))
                {
                    throw new InvalidDataException(
                        $"{path}: module '{group.Label}' has no tensor for parameter '{param}' of layer '{layer.Name}'" +
                        (param.StartsWith("weight_peephole", StringComparison.Ordinal) ? " (PyTorch's LSTM has no peepholes)." : "."));
                }
                if (!stored.Shape.SequenceEqual(value.Shape))
                {
                    throw new InvalidDataException(
                        $"{path}: tensor '{group.TorchNames[param]}' is [{Tensor.FormatShape(stored.Shape)}] but layer '{layer.Name}' needs [{Tensor.FormatShape(value.Shape)}] for '{param}'.");
                }
                weights[$"{layer.Name}.{param}"] = stored;
            }
            var unusedInGroup = group.Tensors.Keys.Where(k => !needed.ContainsKey(k)).ToArray();
            if (unusedInGroup.Length > 0)
                throw new InvalidDataException($"{path}: layer '{layer.Name}' has no place for {string.Join(", ", unusedInGroup.Select(k => group.TorchNames[k]))}.");
            group.Used = true;
        }
        var left = groups.Where(g => !g.Used).SelectMany(g => g.TorchNames.Values).ToArray();
        if (left.Length > 0) throw new InvalidDataException($"{path}: no layer of the model takes {string.Join(", ", left)}.");
        model.SetWeights(weights);

        Group Add(Group g)
        {
            groups.Add(g);
            return g;
        }
    }

    static Group Mapped(string path, List<Group> groups, Layer layer, string mapped)
    {
        var at = mapped.LastIndexOf('@');
        var prefix = at < 0 ? mapped : mapped[..at];
        var index = at < 0 ? (int?)null : int.Parse(mapped[(at + 1)..], CultureInfo.InvariantCulture);
        var found = groups.Where(g => g.Prefix == prefix && (index is null || g.Layer == index) && !g.Used).OrderBy(g => g.Layer).FirstOrDefault();
        return found ?? throw new InvalidDataException($"{path}: layer '{layer.Name}' is mapped to module '{mapped}', which the file does not hold (or another layer took).");
    }

    static Group Matching(string path, List<Group> groups, Layer layer, Layer target, Dictionary<string, Tensor> needed)
    {
        var recurrent = target is Rnn or Bidirectional;
        var fits = groups.Where(g => !g.Used && g.Recurrent == recurrent
                && needed.All(p => g.Tensors.TryGetValue(p.Key, out var t) && t.Shape.SequenceEqual(p.Value.Shape))
                && g.Tensors.Count == needed.Count)
            .ToList();
        // A stacked module's layers are taken in order: only its lowest unused layer is a candidate.
        fits = fits.Where(g => !groups.Any(o => !o.Used && o.Recurrent && o.Prefix == g.Prefix && o.Layer < g.Layer)).ToList();
        if (fits.Count == 1) return fits[0];
        var shapes = string.Join(", ", needed.Select(p => $"{p.Key} [{Tensor.FormatShape(p.Value.Shape)}]"));
        if (fits.Count == 0)
        {
            var available = string.Join("; ", groups.Where(g => !g.Used).Select(g => $"{g.Label}: {string.Join(", ", g.Tensors.Select(t => $"{t.Key} [{Tensor.FormatShape(t.Value.Shape)}]"))}"));
            throw new InvalidDataException($"{path}: no module fits layer '{layer.Name}' ({shapes}); unused modules: {available}.");
        }
        throw new InvalidDataException(
            $"{path}: layer '{layer.Name}' fits several modules ({string.Join(", ", fits.Select(g => g.Label))}); name one in the modules map, e.g. [\"{layer.Name}\"] = \"{fits[0].Prefix}{(fits[0].Recurrent ? "@" + fits[0].Layer : "")}\".");
    }
}
