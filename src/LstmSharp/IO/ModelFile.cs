// ModelFile: a model as one safetensors file — the weights as tensors named "layer.parameter", and in the
// header's __metadata__ the format name and version and the architecture as JSON, from which Load rebuilds the
// graph before it fills the weights. Initialisers are not stored (the weights are).
//
// Version 2 (lstmsharp.model) stores the graph: {"class": "Model" | "Sequential", "inputs": [{"name", "shape"}],
// "nodes": [{"layer": {"type", "name", …config}, "inputs": [[node, output], …]}], "outputs": [{"node", "output",
// "name"}]}, nodes in call order; node −1 stands for the model inputs (output k = input k). A model used as a layer
// stores its own graph in its config. Version 1 (lstmsharp.sequential: "input" shape and a "layers" chain) loads
// as a Sequential.
using System.Globalization;
using System.Text;
using System.Text.Json;
using LstmSharp.Layers;

namespace LstmSharp.IO;

internal static class ModelFile
{
    public const string Format = "lstmsharp.model";
    public const int Version = 2;
    const string FormatV1 = "lstmsharp.sequential";

    /// <summary>The longest architecture (or compile settings) JSON read (a layer takes a few hundred characters), so parsing it stays cheap.</summary>
    public const int MaxArchitectureLength = 16 << 20;

    /// <summary>Prefix of the header entries that hold <see cref="Model.Metadata"/>.</summary>
    public const string UserPrefix = "user.";

    /// <summary>Prefix of the tensors that hold training state (optimizer slots, sample order), not weights.</summary>
    public const string TrainingPrefix = "training/";

    public static void Save(Model model, string path, TrainingState? training = null)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["format_version"] = Version.ToString(CultureInfo.InvariantCulture),
            ["architecture"] = Architecture(model),
        };
        foreach (var (key, value) in model.Metadata) metadata[UserPrefix + key] = value;
        if (model.Optimizer is not null) metadata["compile"] = CompileSettings.Write(model);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (key, p) in model.ParameterKeys())
        {
            // Load refuses such a file, so it is never written: an existing good model stays in place instead.
            var bad = p.Value.Span.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
            if (bad >= 0)
            {
                throw new TrainingDivergedException(
                    $"{path}: not saved: weight '{key}' is {p.Value.Span[bad]} at {p.Value.IndexOf(bad)}, so training diverged; lower the learning rate or clip gradients.");
            }
            tensors.Add(new(key, p.Value));
        }
        if (training is not null)
        {
            metadata["training"] = training.Json;
            foreach (var (name, tensor) in training.Tensors) tensors.Add(new(TrainingPrefix + name, tensor));
        }
        SafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>The training state of a checkpoint: JSON for the scalars, tensors for the arrays.</summary>
    internal sealed record TrainingState(string Json, IReadOnlyDictionary<string, Tensor> Tensors);

    /// <summary>The training state stored in a checkpoint file, or null when the file has none.</summary>
    public static TrainingState? ReadTrainingState(string path)
    {
        var file = SafeTensors.Read(path);
        if (!file.Metadata.TryGetValue("training", out var json)) return null;
        var tensors = file.Tensors.Where(t => t.Key.StartsWith(TrainingPrefix, StringComparison.Ordinal))
            .ToDictionary(t => t.Key[TrainingPrefix.Length..], t => t.Value);
        return new TrainingState(json, tensors);
    }

    /// <summary>
    /// What a valid model file is: a safetensors file (see <see cref="SafeTensors.Read"/>) whose format and version
    /// this library reads, whose architecture builds (every layer setting in range, enums by name only) with no more
    /// parameters than the file holds, whose tensors are exactly the architecture's, with its shapes and finite
    /// values, whose work buffers for one sample fit <see cref="ModelFileLimits.MaxWorkBytes"/>, and whose compile
    /// settings, if any, read back. Anything else is an <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static Model Load(string path, ModelFileLimits? limits = null)
    {
        limits ??= ModelFileLimits.Default;
        limits.Validate();
        var all = SafeTensors.Read(path);
        var file = all with { Tensors = all.Tensors.Where(t => !t.Key.StartsWith(TrainingPrefix, StringComparison.Ordinal)).ToDictionary() };
        var format = file.Metadata.GetValueOrDefault("format");
        if (format is not (Format or FormatV1))
            throw new InvalidDataException($"{path}: not an LstmSharp model file (its format is '{SafeTensors.Excerpt(format ?? "none")}'; expected '{Format}').");
        if (!int.TryParse(file.Metadata.GetValueOrDefault("format_version"), CultureInfo.InvariantCulture, out var version) || version > Version || version < 1)
            throw new InvalidDataException($"{path}: model file version '{SafeTensors.Excerpt(file.Metadata.GetValueOrDefault("format_version") ?? "none")}' is " +
                (version > Version ? $"newer than this library reads ({Version})." : $"not one this library reads (1 to {Version})."));
        var architecture = file.Metadata.GetValueOrDefault("architecture") ?? "";
        if (architecture.Length > MaxArchitectureLength)
            throw new InvalidDataException($"{path}: the architecture is {architecture.Length:N0} characters long; the limit is {MaxArchitectureLength:N0} (about 10,000 layers).");
        Model model;
        try
        {
            using var json = JsonDocument.Parse(architecture);
            // The parameters the architecture declares are counted before anything is built, so a hostile header
            // cannot make the loader allocate much more than the file holds (small mismatches are reported tensor
            // by tensor below, with names and shapes).
            var budget = _budget = new Budget(Limit(file.Tensors.Values.Sum(t => (long)t.Length)));
            model = version == 1 ? ReadChain(json.RootElement, budget) : ReadGraph(json.RootElement, null);
            if (budget.Exceeded)
                throw new InvalidDataException($"{path}: the architecture needs far more parameter values ({budget.Declared}+) than the {budget.Stored} the file holds.");
        }
        catch (InvalidDataException e) when (e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or InvalidDataException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: the architecture in the model file cannot be read: {SafeTensors.Excerpt(e.Message, 400)}", e);
        }
        finally
        {
            _budget = null;
        }

        var expected = model.GetWeights();
        var missing = expected.Keys.Where(k => !file.Tensors.ContainsKey(k)).ToArray();
        if (missing.Length > 0) throw new InvalidDataException($"{path}: the model file lacks {Names(missing)}.");
        var extra = file.Tensors.Keys.Where(k => !expected.ContainsKey(k)).ToArray();
        if (extra.Length > 0) throw new InvalidDataException($"{path}: the model file holds tensors the architecture has no place for: {Names(extra)}.");
        foreach (var (name, value) in expected)
        {
            var stored = file.Tensors[name];
            if (!stored.Shape.SequenceEqual(value.Shape))
                throw new InvalidDataException($"{path}: tensor '{name}' is [{Tensor.FormatShape(stored.Shape)}] but the architecture needs [{Tensor.FormatShape(value.Shape)}].");
            var bad = stored.Span.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
            if (bad >= 0)
                throw new InvalidDataException($"{path}: tensor '{name}' holds {stored.Span[bad]} at {stored.IndexOf(bad)}; a model's weights must be finite (was it saved from a diverged training run?).");
        }
        var work = WorkBytesPerSample(model);
        if (work > limits.MaxWorkBytes)
        {
            throw new InvalidDataException(
                $"{path}: the network needs about {work >> 20:N0} MB of work buffers per sample for its input [{string.Join(", ", model.InputShape)}], " +
                $"above the limit of {limits.MaxWorkBytes >> 20:N0} MB ({nameof(ModelFileLimits)}.{nameof(ModelFileLimits.MaxWorkBytes)}); the file is damaged, or raise the limit.");
        }
        model.SetWeights(file.Tensors);
        foreach (var (key, value) in file.Metadata)
            if (key.StartsWith(UserPrefix, StringComparison.Ordinal)) model.Metadata[key[UserPrefix.Length..]] = value;
        if (file.Metadata.TryGetValue("compile", out var compile))
        {
            if (compile.Length > MaxArchitectureLength)
                throw new InvalidDataException($"{path}: the compile settings are {compile.Length:N0} characters long; the limit is {MaxArchitectureLength:N0}.");
            try
            {
                CompileSettings.Apply(model, compile);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new InvalidDataException($"{path}: the compile settings in the model file cannot be read: {SafeTensors.Excerpt(e.Message, 400)}", e);
            }
        }
        return model;
    }

    /// <summary>The first few of <paramref name="names"/> (from the file, so each is cut short too), and how many more there are.</summary>
    static string Names(string[] names) =>
        string.Join(", ", names.Take(5).Select(n => SafeTensors.Excerpt(n))) + (names.Length > 5 ? $" and {names.Length - 5} more" : "");

    /// <summary>
    /// An estimate of the bytes one sample's forward and backward pass keeps: every node's inputs, and per input
    /// step 8 values for each of its output features (an LSTM's gates, cell and hidden state; a Dense layer's
    /// outputs), with a time length of -1 (set by the caller's data) counted as 1. Nested models count their nodes.
    /// </summary>
    internal static long WorkBytesPerSample(Model model)
    {
        double floats = 0;
        foreach (var node in model.Nodes)
        {
            foreach (var input in node.Inputs) floats += Elements(input.Shape);
            var steps = node.Inputs.Length > 0 && node.Inputs[0].Shape.Count >= 2 ? Math.Max(node.Inputs[0].Shape[0], 1) : 1;
            foreach (var output in node.Outputs) floats += Math.Max(Elements(output.Shape), 8.0 * steps * (output.Shape.Count > 0 ? Math.Max(output.Shape[^1], 1) : 1));
            if (node.Layer is Model inner) floats += WorkBytesPerSample(inner) / 4.0;
            else if (node.Layer is Layers.TimeDistributed { Inner: Model wrapped } && node.Inputs.Length > 0)
                floats += WorkBytesPerSample(wrapped) / 4.0 * Math.Max(node.Inputs[0].Shape[0], 1);   // once per step
        }
        return floats * 4 >= long.MaxValue ? long.MaxValue : (long)(floats * 4);

        static double Elements(IReadOnlyList<int> shape)
        {
            double n = 1;
            foreach (var d in shape) n *= Math.Max(d, 1);
            return n;
        }
    }

    static string Architecture(Model model)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer)) WriteGraph(json, model);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes the graph of <paramref name="model"/> (the format in the file header above).</summary>
    public static void WriteGraph(Utf8JsonWriter json, Model model)
    {
        var nodes = model.Nodes;
        var where = new Dictionary<Symbol, (int Node, int Output)>();
        for (var i = 0; i < model.Inputs.Count; i++) where[model.Inputs[i]] = (-1, i);
        for (var n = 0; n < nodes.Count; n++)
            for (var k = 0; k < nodes[n].Outputs.Length; k++) where[nodes[n].Outputs[k]] = (n, k);
        json.WriteStartObject();
        json.WriteString("class", model is Sequential ? nameof(Sequential) : nameof(Model));
        json.WriteStartArray("inputs");
        foreach (var input in model.Inputs)
        {
            json.WriteStartObject();
            json.WriteString("name", input.Name);
            json.WriteStartArray("shape");
            foreach (var d in input.Shape) json.WriteNumberValue(d);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("nodes");
        foreach (var node in nodes)
        {
            json.WriteStartObject();
            json.WritePropertyName("layer");
            LayerConfigs.Write(json, node.Layer);
            json.WriteStartArray("inputs");
            foreach (var input in node.Inputs)
            {
                var (n, k) = where[input];
                json.WriteStartArray();
                json.WriteNumberValue(n);
                json.WriteNumberValue(k);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("outputs");
        foreach (var output in model.Outputs)
        {
            var (n, k) = where[output];
            json.WriteStartObject();
            json.WriteNumber("node", n);
            json.WriteNumber("output", k);
            json.WriteString("name", output.Name);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The budget of the file being loaded on this thread (nested graphs count against it too).</summary>
    [ThreadStatic]
    static Budget? _budget;

    /// <summary>The parameter values an architecture may declare, and how many it has so far.</summary>
    internal sealed class Budget(long limit)
    {
        public long Stored => (limit - 1_000_000) / 2;

        public long Declared { get; private set; }

        public bool Exceeded => Declared > limit;

        /// <summary>Counts a layer call's parameters; throws once the architecture declares more than the file can hold.</summary>
        public void Add(Layer layer, Symbol[] inputs)
        {
            if (layer is Model || inputs.Length == 0) return;   // a nested model was counted when it was read
            try
            {
                Declared = checked(Declared + layer.ParameterCountFor([.. inputs[0].Shape]));
            }
            catch (OverflowException)
            {
                Declared = long.MaxValue;
            }
            if (Exceeded) throw new InvalidDataException($"the architecture needs far more parameter values ({Declared}+) than the {Stored} the file holds.");
        }
    }

    /// <summary>Rebuilds a version-2 graph: the calls symbolically first (counting parameters), then the model.</summary>
    public static Model ReadGraph(JsonElement e, string? name)
    {
        var budget = _budget ?? new Budget(long.MaxValue);
        var inputs = e.Required("inputs").EnumerateArray()
            .Select(i => new Input([.. i.Required("shape").EnumerateArray().Select(d => d.GetInt32())]) { Name = i.Name() })
            .ToArray();
        var produced = new List<Symbol[]>();
        var layers = new List<Layer>();
        Symbol At(int node, int output)
        {
            var outputs = node == -1 ? inputs : node >= 0 && node < produced.Count ? produced[node] : throw new FormatException($"a node input refers to node {node} before it exists");
            return output >= 0 && output < outputs.Length ? outputs[output] : throw new FormatException($"node {node} has no output {output}");
        }
        Symbol Reference(JsonElement pair) => pair.GetArrayLength() == 2
            ? At(pair[0].GetInt32(), pair[1].GetInt32())
            : throw new FormatException("a node input is not [node, output]");
        var chain = e.Required("class").GetString() == nameof(Sequential);
        foreach (var n in e.Required("nodes").EnumerateArray())
        {
            var layer = LayerConfigs.Read(n.Required("layer"));
            var ins = n.Required("inputs").EnumerateArray().Select(Reference).ToArray();
            // A Sequential is rebuilt as a chain, so its calls must be one: call k consumes call k−1's output.
            if (chain && (ins.Length != 1 || ins[0] != (produced.Count == 0 ? inputs.FirstOrDefault() : produced[^1][0])))
                throw new FormatException($"the Sequential's call {produced.Count} does not consume the output of the call before it");
            budget.Add(layer, ins);
            produced.Add(Node.Create(layer, ins).Outputs);
            layers.Add(layer);
        }
        var outs = e.Required("outputs").EnumerateArray().Select(o =>
        {
            var symbol = At(o.Required("node").GetInt32(), o.Required("output").GetInt32());
            var stored = o.Name();
            if (symbol.Name != stored) symbol.Name = stored;
            return symbol;
        }).ToArray();
        return e.Required("class").GetString() switch
        {
            nameof(Sequential) when inputs.Length == 1 => Named(new Sequential(inputs[0], [.. layers]), name),
            nameof(Model) => new Model(inputs, outs, name: name),
            var c => throw new FormatException($"unknown model class '{c}'"),
        };
    }

    static Model Named(Model model, string? name)
    {
        if (name is not null) model.Name = name;
        return model;
    }

    /// <summary>Rebuilds a version-1 file: an input shape and a chain of layers, as a Sequential.</summary>
    static Sequential ReadChain(JsonElement root, Budget budget)
    {
        var input = new Input([.. root.Required("input").EnumerateArray().Select(e => e.GetInt32())]);
        var layers = root.Required("layers").EnumerateArray().Select(LayerConfigs.Read).ToArray();
        Symbol x = input;
        foreach (var layer in layers)
        {
            budget.Add(layer, [x]);
            x = Node.Create(layer, [x]).Outputs[0];
        }
        return new Sequential(input, layers);
    }

    static long Limit(long stored) => 2 * stored + 1_000_000;
}
