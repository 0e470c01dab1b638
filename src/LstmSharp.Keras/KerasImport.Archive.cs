// KerasImport.Load: a Keras 3 .keras archive — a zip of config.json (the model serialized by
// keras.saving.serialize_keras_object: Sequential or Functional, each layer's class_name and config, a Functional's
// inbound_nodes with __keras_tensor__ arguments and keras_history [layer, node, tensor]) and model.weights.h5 — built
// as the same LstmSharp model and loaded with its weights. Settings we cannot reproduce are refused by name.
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LstmSharp.Layers;
using PureHDF;

namespace LstmSharp.Keras;

public static partial class KerasImport
{
    [GeneratedRegex("(.)([A-Z][a-z]+)")]
    private static partial Regex WordStart();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex LowerUpper();

    /// <summary>
    /// Builds the model a Keras 3 <c>.keras</c> archive (<c>model.save("model.keras")</c>) describes and loads its
    /// weights: a Sequential or Functional model of InputLayer, Embedding, LSTM, GRU (either <c>reset_after</c>),
    /// SimpleRNN (with or without biases, <c>zero_output_for_mask</c> either way, stateful), Bidirectional, Dense, Dropout, TimeDistributed(Dense), Concatenate, Add,
    /// Multiply and Average, with Keras's layer names. A layer or setting LstmSharp has no form for is refused, naming
    /// the layer, the setting and its value.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a .keras archive, or a layer or setting that cannot be imported; the message says which.</exception>
    public static Model Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not a .keras archive (a zip of config.json and model.weights.h5): {e.Message}", e);
        }
        using (zip)
        {
            JsonNode config;
            using (var json = Entry(zip, path, "config.json").Open())
            {
                try
                {
                    config = JsonNode.Parse(json) ?? throw new InvalidDataException($"{path}: config.json is null.");
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"{path}: config.json is not valid JSON ({e.Message}).", e);
                }
            }
            var (model, keys) = new Builder(path).Build(config);
            using var weights = new MemoryStream();
            using (var h5 = Entry(zip, path, "model.weights.h5").Open()) h5.CopyTo(weights);
            weights.Position = 0;
            var name = $"{path}: model.weights.h5";
            using var file = Open(name, () => H5File.Open(weights, leaveOpen: true));
            CopyWeights(model, new Reader(file, name), keys);
            return model;
        }
    }

    static ZipArchiveEntry Entry(ZipArchive zip, string path, string name) =>
        zip.GetEntry(name) ?? throw new InvalidDataException($"{path}: the archive has no {name}; a .keras archive holds config.json and model.weights.h5 (found: {string.Join(", ", zip.Entries.Select(e => e.FullName))}).");

    /// <summary>Keras's naming.to_snake_case: <c>SimpleRNN</c> → <c>simple_rnn</c>, <c>LSTM</c> → <c>lstm</c>.</summary>
    internal static string SnakeCase(string className) => LowerUpper().Replace(WordStart().Replace(className, "$1_$2"), "$1_$2").ToLowerInvariant();

    /// <summary>Turns one config.json into a model, and each layer's name into its key in model.weights.h5.</summary>
    sealed class Builder(string path)
    {
        readonly Dictionary<string, string> _keys = [];
        readonly Dictionary<string, int> _classCounts = [];
        bool _masked;

        public (Model Model, Dictionary<string, string> Keys) Build(JsonNode root)
        {
            var className = Text(root, "class_name", "the model");
            var config = Object(root, "config", "the model");
            var layers = config["layers"] as JsonArray ?? throw Bad("the model config has no 'layers' list");
            var model = className switch
            {
                "Sequential" => Sequential(config, layers),
                "Functional" or "Model" => Functional(config, layers),
                _ => throw Bad($"the model is a '{className}'; only Sequential and Functional models can be imported"),
            };
            return (model, _keys);
        }

        Sequential Sequential(JsonObject config, JsonArray layers)
        {
            Input? input = null;
            var built = new List<Layer>();
            foreach (var entry in layers)
            {
                var layerClass = Text(entry, "class_name", "a layer");
                var layerConfig = Object(entry, "config", layerClass);
                if (layerClass == "InputLayer")
                {
                    input = InputOf(layerConfig);
                    continue;
                }
                input ??= BuildShape(entry) ?? BuildShape(config) ?? throw Bad("the Sequential model declares no input shape (no InputLayer and no build_config)");
                built.Add(Layer(layerClass, layerConfig));
            }
            return new Sequential(input ?? throw Bad("the Sequential model has no layers"), [.. built]);
        }

        Model Functional(JsonObject config, JsonArray layers)
        {
            var outputs = new Dictionary<string, Symbol[]>(StringComparer.Ordinal);
            var inputs = new Dictionary<string, Input>(StringComparer.Ordinal);
            foreach (var entry in layers)
            {
                var layerClass = Text(entry, "class_name", "a layer");
                var layerConfig = Object(entry, "config", layerClass);
                var name = Text(entry, "name", layerClass);
                if (layerClass == "InputLayer")
                {
                    inputs[name] = InputOf(layerConfig);
                    outputs[name] = [inputs[name]];
                    continue;
                }
                var nodes = entry!["inbound_nodes"] as JsonArray ?? throw Bad($"layer '{name}' has no inbound_nodes");
                if (nodes.Count != 1) throw Bad($"layer '{name}' is called {nodes.Count} times; LstmSharp calls each layer once (share weights by calling one model twice instead)");
                var node = nodes[0] as JsonObject ?? throw Bad($"layer '{name}': an inbound node in the legacy list form; save the model with Keras 3");
                var kwargs = node["kwargs"] as JsonObject;
                var tensorKwarg = kwargs?.FirstOrDefault(kv => kv.Key != "mask" && kv.Value is JsonObject or JsonArray && kv.Value.ToJsonString().Contains("__keras_tensor__", StringComparison.Ordinal));
                if (tensorKwarg is { Key: { } kwarg }) throw Bad($"layer '{name}' is called with {kwarg}=…, which is not imported yet");
                var args = node["args"] as JsonArray ?? throw Bad($"layer '{name}': its inbound node has no args");
                var first = args.Count > 0 ? args[0] : throw Bad($"layer '{name}' is called without inputs");
                var symbols = first is JsonArray list ? list.Select(t => Tensor(t, outputs, name)).ToArray() : [Tensor(first, outputs, name)];
                var layer = Layer(layerClass, layerConfig);
                outputs[name] = [layer is MergeLayer merge ? merge.Call(symbols) : layer.Call(symbols.Single())];
            }
            var modelInputs = Leaves(config["input_layers"], "input_layers").Select(l => inputs.TryGetValue(l.Layer, out var i) ? i : throw Bad($"input_layers names '{l.Layer}', which is no InputLayer")).ToArray();
            var modelOutputs = Leaves(config["output_layers"], "output_layers").Select(l => Output(outputs, l)).ToArray();
            return new Model(modelInputs, modelOutputs, name: (string?)config["name"]);
        }

        static Symbol Output(Dictionary<string, Symbol[]> outputs, (string Layer, int Node, int Tensor) leaf) =>
            outputs.TryGetValue(leaf.Layer, out var symbols) && leaf.Node == 0 && leaf.Tensor < symbols.Length ? symbols[leaf.Tensor]
                : throw new InvalidDataException($"output [{leaf.Layer}, {leaf.Node}, {leaf.Tensor}] is no output of an imported layer call");

        /// <summary>The [layer, node, tensor] leaves of input_layers / output_layers (one leaf, or a list of them).</summary>
        IEnumerable<(string Layer, int Node, int Tensor)> Leaves(JsonNode? node, string what)
        {
            if (node is JsonArray { Count: 3 } leaf && leaf[0] is JsonValue v && v.TryGetValue<string>(out var layer))
            {
                yield return (layer, (int)leaf[1]!, (int)leaf[2]!);
                yield break;
            }
            if (node is not JsonArray list) throw Bad($"'{what}' is not a list");
            foreach (var item in list)
                foreach (var l in Leaves(item, what)) yield return l;
        }

        Symbol Tensor(JsonNode? node, Dictionary<string, Symbol[]> outputs, string layer)
        {
            if ((string?)node?["class_name"] != "__keras_tensor__") throw Bad($"layer '{layer}' is called on something that is not a layer's output ({Excerpt(node)})");
            var history = node!["config"]?["keras_history"] as JsonArray ?? throw Bad($"layer '{layer}': an input without keras_history");
            var (source, index, tensor) = ((string?)history[0] ?? "", (int)history[1]!, (int)history[2]!);
            if (!outputs.TryGetValue(source, out var symbols)) throw Bad($"layer '{layer}' reads '{source}', which comes later in config.json or does not exist");
            if (index != 0 || tensor >= symbols.Length) throw Bad($"layer '{layer}' reads output [{source}, {index}, {tensor}], which is not imported");
            return symbols[tensor];
        }

        Input InputOf(JsonObject config)
        {
            var shape = config["batch_shape"] ?? config["batch_input_shape"] ?? throw Bad($"InputLayer '{(string?)config["name"]}' has no batch_shape");
            var input = ShapeInput(shape, $"InputLayer '{(string?)config["name"]}'");
            if ((string?)config["name"] is { } name) input.Name = name;
            return input;
        }

        Input? BuildShape(JsonNode? entry) => entry?["build_config"]?["input_shape"] is { } shape ? ShapeInput(shape, "build_config") : null;

        Input ShapeInput(JsonNode shape, string what)
        {
            var dims = shape as JsonArray ?? throw Bad($"{what}: the shape is not a list");
            if (dims.Count < 2) throw Bad($"{what}: the shape [{string.Join(", ", dims)}] has no axis after the batch");
            return new Input([.. dims.Skip(1).Select(d => d is null ? -1 : (int)d)]);
        }

        /// <summary>One layer from its class name and config; the weights key is counted as Keras counts it.</summary>
        Layer Layer(string className, JsonObject config)
        {
            var name = (string?)config["name"] ?? throw Bad($"a {className} layer has no name");
            var snake = SnakeCase(className);
            var count = _classCounts.GetValueOrDefault(snake);
            _classCounts[snake] = count + 1;
            _keys[name] = count == 0 ? snake : $"{snake}_{count}";
            return Create(className, config, name);
        }

        Layer Create(string className, JsonObject config, string name)
        {
            switch (className)
            {
                case "Embedding":
                    var maskZero = Flag(config, "mask_zero", false);
                    _masked |= maskZero;
                    return new Embedding(Int(config, "input_dim", name), Int(config, "output_dim", name), name, maskZero: maskZero);
                case "LSTM" or "GRU" or "SimpleRNN":
                    return Recurrent(className, config, name, wrapped: false);
                case "Bidirectional":
                    var inner = Object(config, "layer", name);
                    var innerClass = Text(inner, "class_name", name);
                    if (innerClass is not ("LSTM" or "GRU" or "SimpleRNN")) throw Bad($"layer '{name}' (Bidirectional) wraps a {innerClass}; only LSTM, GRU and SimpleRNN can be imported");
                    var merge = (string?)config["merge_mode"] switch
                    {
                        "concat" => MergeMode.Concat,
                        "sum" => MergeMode.Sum,
                        "mul" => MergeMode.Multiply,
                        "ave" => MergeMode.Average,
                        var other => throw Unsupported(name, "merge_mode", other ?? "None", "LstmSharp merges by concat, sum, mul or ave"),
                    };
                    return new Bidirectional(Recurrent(innerClass, Object(inner, "config", name), null, wrapped: true), merge, name);
                case "Dense":
                    return DenseLayer(config, name);
                case "Dropout":
                    return new Dropout((float)Number(config, "rate", name), name: name);
                case "TimeDistributed":
                    var wrapped = Object(config, "layer", name);
                    if (Text(wrapped, "class_name", name) != "Dense") throw Bad($"layer '{name}' (TimeDistributed) wraps a {(string?)wrapped["class_name"]}; only Dense can be imported");
                    return new TimeDistributed(DenseLayer(Object(wrapped, "config", name), null), name);
                case "Concatenate":
                    return new Concatenate((int?)config["axis"] ?? -1, name);
                case "Add":
                    return new Layers.Add(name);
                case "Multiply":
                    return new Multiply(name);
                case "Average":
                    return new Average(name);
                default:
                    throw Bad($"layer '{name}' is a {className}, which LstmSharp has no import for (it imports InputLayer, Embedding, LSTM, GRU, SimpleRNN, Bidirectional, Dense, Dropout, TimeDistributed, Concatenate, Add, Multiply, Average)");
            }
        }

        /// <summary>
        /// A Keras LSTM, GRU or SimpleRNN config as our layer. Inside Bidirectional (<paramref name="wrapped"/>) Keras
        /// forces zero_output_for_mask to return_sequences, so padded steps give zeros there whatever the config says.
        /// </summary>
        Rnn Recurrent(string className, JsonObject config, string? name, bool wrapped)
        {
            var what = name ?? (string?)config["name"] ?? className;
            Expect(config, "activation", "tanh", what);
            if (className != "SimpleRNN") Expect(config, "recurrent_activation", "sigmoid", what);
            if (Flag(config, "return_state", false)) throw Unsupported(what, "return_state", "True", "import the layer without it");
            var sequences = Flag(config, "return_sequences", false);
            T Options<T>() where T : RnnOptions, new() => new()
            {
                Name = name, ReturnSequences = sequences, GoBackwards = Flag(config, "go_backwards", false), Stateful = Flag(config, "stateful", false),
                Dropout = Rate(config, "dropout"), RecurrentDropout = Rate(config, "recurrent_dropout"), UseBias = Flag(config, "use_bias", true),
                ZeroOutputForMask = wrapped || Flag(config, "zero_output_for_mask", false),
            };
            var units = Int(config, "units", what);
            return className switch
            {
                "LSTM" => new Lstm(units, Options<LstmOptions>()),
                "GRU" => new Gru(units, Options<GruOptions>() with { ResetAfter = Flag(config, "reset_after", true) }),
                _ => new SimpleRnn(units, Options<RnnOptions>()),
            };
        }

        Dense DenseLayer(JsonObject config, string? name)
        {
            var what = name ?? (string?)config["name"] ?? "Dense";
            if (!Flag(config, "use_bias", true)) throw Unsupported(what, "use_bias", "False", "LstmSharp's Dense always has a bias");
            var activation = (string?)config["activation"] switch
            {
                null or "linear" => Activation.Linear,
                "relu" => Activation.Relu,
                "tanh" => Activation.Tanh,
                "sigmoid" => Activation.Sigmoid,
                "softmax" => Activation.Softmax,
                var other => throw Unsupported(what, "activation", other, "LstmSharp's Dense takes linear, relu, tanh, sigmoid or softmax"),
            };
            return new Dense(Int(config, "units", what), activation, name);
        }

        void Expect(JsonObject config, string key, string value, string layer)
        {
            var actual = config[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : config[key]?.ToJsonString() ?? value;
            if (actual != value) throw Unsupported(layer, key, actual, $"LstmSharp's layer uses {value}");
        }

        bool Flag(JsonObject config, string key, bool fallback) => config[key] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            var other => throw Bad($"'{key}' is {Excerpt(other)}, not true or false"),
        };

        int Int(JsonObject config, string key, string layer) =>
            config[key] is JsonValue v && v.TryGetValue<int>(out var i) && i > 0 ? i : throw Bad($"layer '{layer}': '{key}' is {Excerpt(config[key])}; expected a positive integer");

        static float Rate(JsonObject config, string key) => config[key] is JsonValue v && v.TryGetValue<double>(out var d) ? (float)d : 0f;

        double Number(JsonObject config, string key, string layer) =>
            config[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : throw Bad($"layer '{layer}': '{key}' is {Excerpt(config[key])}; expected a number");

        string Text(JsonNode? node, string key, string what) =>
            node?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Bad($"{what} has no '{key}'");

        JsonObject Object(JsonNode? node, string key, string what) => node?[key] as JsonObject ?? throw Bad($"{what} has no '{key}' object");

        static string Excerpt(JsonNode? node)
        {
            var text = node?.ToJsonString() ?? "null";
            return text.Length <= 80 ? text : text[..80] + "…";
        }

        InvalidDataException Bad(string problem) => new($"{path}: {problem}.");

        InvalidDataException Unsupported(string layer, string setting, string value, string why) =>
            Bad($"layer '{layer}' has {setting}={value}, which LstmSharp cannot reproduce ({why})");
    }
}
