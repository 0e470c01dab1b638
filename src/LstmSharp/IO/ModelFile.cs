// ModelFile: a model as one safetensors file — the weights as tensors named "layer.parameter",
// and in the header's __metadata__ the format name and version and the architecture as JSON, from which
// Load rebuilds the layers before it fills their weights. Initialisers are not stored (the weights are).
using System.Globalization;
using System.Text;
using System.Text.Json;
using LstmSharp.Layers;

namespace LstmSharp.IO;

internal static class ModelFile
{
    public const string Format = "lstmsharp.sequential";
    public const int Version = 1;

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
        foreach (var (key, p) in model.ParameterKeys()) tensors.Add(new(key, p.Value));
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

    public static Model Load(string path)
    {
        var all = SafeTensors.Read(path);
        var file = all with { Tensors = all.Tensors.Where(t => !t.Key.StartsWith(TrainingPrefix, StringComparison.Ordinal)).ToDictionary() };
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{path}: not an LstmSharp model file (its format is '{format ?? "none"}'; expected '{Format}').");
        if (!int.TryParse(file.Metadata.GetValueOrDefault("format_version"), CultureInfo.InvariantCulture, out var version) || version > Version)
            throw new InvalidDataException($"{path}: model file version '{file.Metadata.GetValueOrDefault("format_version")}' is newer than this library reads ({Version}).");
        Model model;
        try
        {
            using var json = JsonDocument.Parse(file.Metadata.GetValueOrDefault("architecture") ?? "");
            var root = json.RootElement;
            var inputShape = root.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            // Count the parameters the architecture declares before building anything, so a hostile header cannot
            // make the loader allocate much more than the file holds (small mismatches are reported tensor by
            // tensor below, with names and shapes).
            long width = inputShape.Length == 0 ? 0 : inputShape[^1];
            long declared = 0;
            var stored = file.Tensors.Values.Sum(t => (long)t.Length);
            foreach (var e in root.GetProperty("layers").EnumerateArray())
            {
                try
                {
                    declared = checked(declared + CountParameters(e, ref width));
                }
                catch (OverflowException)
                {
                    declared = long.MaxValue;
                }
                if (declared > Limit(stored)) break;
            }
            if (declared > Limit(stored))
                throw new InvalidDataException($"{path}: the architecture needs far more parameter values ({declared}+) than the {stored} the file holds.");
            var input = new Input(inputShape);
            var layers = root.GetProperty("layers").EnumerateArray().Select(ReadLayer).ToArray();
            model = new Sequential(input, layers);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: the architecture in the model file cannot be read: {e.Message}", e);
        }

        var expected = model.GetWeights();
        var missing = expected.Keys.Where(k => !file.Tensors.ContainsKey(k)).ToArray();
        if (missing.Length > 0) throw new InvalidDataException($"{path}: the model file lacks {string.Join(", ", missing)}.");
        var extra = file.Tensors.Keys.Where(k => !expected.ContainsKey(k)).ToArray();
        if (extra.Length > 0) throw new InvalidDataException($"{path}: the model file holds tensors the architecture has no place for: {string.Join(", ", extra)}.");
        foreach (var (name, value) in expected)
        {
            var stored = file.Tensors[name];
            if (!stored.Shape.SequenceEqual(value.Shape))
                throw new InvalidDataException($"{path}: tensor '{name}' is [{Tensor.FormatShape(stored.Shape)}] but the architecture needs [{Tensor.FormatShape(value.Shape)}].");
        }
        model.SetWeights(file.Tensors);
        foreach (var (key, value) in file.Metadata)
            if (key.StartsWith(UserPrefix, StringComparison.Ordinal)) model.Metadata[key[UserPrefix.Length..]] = value;
        if (file.Metadata.TryGetValue("compile", out var compile))
        {
            try
            {
                CompileSettings.Apply(model, compile);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new InvalidDataException($"{path}: the compile settings in the model file cannot be read: {e.Message}", e);
            }
        }
        return model;
    }

    static string Architecture(Model model)
    {
        if (!model.IsChain) throw new NotSupportedException($"Model '{model.Name}' is not a chain of layers, which this file format cannot hold yet.");
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("input");
            foreach (var d in model.InputShape) json.WriteNumberValue(d);
            json.WriteEndArray();
            json.WriteStartArray("layers");
            foreach (var layer in model.Layers) WriteLayer(json, layer);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    static void WriteLayer(Utf8JsonWriter json, Layer layer)
    {
        json.WriteStartObject();
        json.WriteString("type", layer.GetType().Name);
        json.WriteString("name", layer.Name);
        switch (layer)
        {
            case Rnn rnn:
                json.WriteNumber("units", rnn.Units);
                var o = rnn.Options;
                json.WriteBoolean("return_sequences", o.ReturnSequences);
                json.WriteBoolean("go_backwards", o.GoBackwards);
                json.WriteBoolean("stateful", o.Stateful);
                json.WriteNumber("dropout", o.Dropout);
                json.WriteNumber("recurrent_dropout", o.RecurrentDropout);
                WriteRegularizer(json, "kernel_regularizer", o.KernelRegularizer);
                WriteRegularizer(json, "recurrent_regularizer", o.RecurrentRegularizer);
                WriteRegularizer(json, "bias_regularizer", o.BiasRegularizer);
                if (rnn is Lstm lstm)
                {
                    json.WriteBoolean("peepholes", lstm.LstmOptions.Peepholes);
                    json.WriteBoolean("unit_forget_bias", lstm.LstmOptions.UnitForgetBias);
                }
                break;
            case Dense dense:
                json.WriteNumber("units", dense.Units);
                json.WriteString("activation", dense.Activation.ToString());
                WriteRegularizer(json, "kernel_regularizer", dense.KernelRegularizer);
                WriteRegularizer(json, "bias_regularizer", dense.BiasRegularizer);
                break;
            case Embedding embedding:
                json.WriteNumber("vocabulary", embedding.VocabularySize);
                json.WriteNumber("dimension", embedding.Dimension);
                break;
            case Dropout dropout:
                json.WriteNumber("rate", dropout.Rate);
                json.WriteNumber("seed", dropout.Seed);
                break;
            case Masking masking:
                json.WriteNumber("mask_value", masking.MaskValue);
                break;
            case Bidirectional bidirectional:
                json.WriteString("merge", bidirectional.Merge.ToString());
                json.WritePropertyName("layer");
                WriteLayer(json, bidirectional.ForwardLayer);
                break;
            case TimeDistributed distributed:
                json.WritePropertyName("layer");
                WriteLayer(json, distributed.Inner);
                break;
            default:
                throw new NotSupportedException($"Layer '{layer.Name}' of type {layer.GetType().Name} cannot be saved.");
        }
        json.WriteEndObject();
    }

    static void WriteRegularizer(Utf8JsonWriter json, string name, Regularizer? regularizer)
    {
        if (regularizer is null) return;
        json.WriteStartObject(name);
        json.WriteNumber("l1", regularizer.L1);
        json.WriteNumber("l2", regularizer.L2);
        json.WriteEndObject();
    }

    static Layer ReadLayer(JsonElement e)
    {
        var type = e.GetProperty("type").GetString();
        var name = e.GetProperty("name").GetString();
        switch (type)
        {
            case nameof(Lstm):
            case nameof(Gru):
            case nameof(SimpleRnn):
                var units = e.GetProperty("units").GetInt32();
                var options = new RnnOptions
                {
                    Name = name,
                    ReturnSequences = e.GetProperty("return_sequences").GetBoolean(),
                    GoBackwards = e.GetProperty("go_backwards").GetBoolean(),
                    Stateful = e.TryGetProperty("stateful", out var stateful) && stateful.GetBoolean(),
                    Dropout = e.GetProperty("dropout").GetSingle(),
                    RecurrentDropout = e.GetProperty("recurrent_dropout").GetSingle(),
                    KernelRegularizer = ReadRegularizer(e, "kernel_regularizer"),
                    RecurrentRegularizer = ReadRegularizer(e, "recurrent_regularizer"),
                    BiasRegularizer = ReadRegularizer(e, "bias_regularizer"),
                };
                return type switch
                {
                    nameof(Lstm) => new Lstm(units, new LstmOptions
                    {
                        Name = options.Name, ReturnSequences = options.ReturnSequences, GoBackwards = options.GoBackwards, Stateful = options.Stateful,
                        Dropout = options.Dropout, RecurrentDropout = options.RecurrentDropout,
                        KernelRegularizer = options.KernelRegularizer, RecurrentRegularizer = options.RecurrentRegularizer, BiasRegularizer = options.BiasRegularizer,
                        Peepholes = e.GetProperty("peepholes").GetBoolean(), UnitForgetBias = e.GetProperty("unit_forget_bias").GetBoolean(),
                    }),
                    nameof(Gru) => new Gru(units, options),
                    _ => new SimpleRnn(units, options),
                };
            case nameof(Dense):
                return new Dense(e.GetProperty("units").GetInt32(), Enum.Parse<Activation>(e.GetProperty("activation").GetString()!), name,
                    ReadRegularizer(e, "kernel_regularizer"), ReadRegularizer(e, "bias_regularizer"));
            case nameof(Embedding):
                return new Embedding(e.GetProperty("vocabulary").GetInt32(), e.GetProperty("dimension").GetInt32(), name);
            case nameof(Dropout):
                return new Dropout(e.GetProperty("rate").GetSingle(), e.GetProperty("seed").GetInt32(), name);
            case nameof(Masking):
                return new Masking(e.GetProperty("mask_value").GetSingle(), name);
            case nameof(Bidirectional):
                var inner = ReadLayer(e.GetProperty("layer")) as Rnn ?? throw new FormatException("Bidirectional wraps a recurrent layer.");
                return new Bidirectional(inner, Enum.Parse<MergeMode>(e.GetProperty("merge").GetString()!), name);
            case nameof(TimeDistributed):
                return new TimeDistributed(ReadLayer(e.GetProperty("layer")), name);
            default:
                throw new FormatException($"unknown layer type '{type}'");
        }
    }

    static long Limit(long stored) => 2 * stored + 1_000_000;

    /// <summary>The parameters a layer's config declares for inputs <paramref name="width"/> wide; updates the width.</summary>
    static long CountParameters(JsonElement e, ref long width)
    {
        checked
        {
            switch (e.GetProperty("type").GetString())
            {
                case nameof(Lstm):
                case nameof(Gru):
                case nameof(SimpleRnn):
                    long h = e.GetProperty("units").GetInt32();
                    long gates = e.GetProperty("type").GetString() switch { nameof(Lstm) => 4, nameof(Gru) => 3, _ => 1 };
                    var count = gates * h * (width + h + 2) + (e.TryGetProperty("peepholes", out var p) && p.GetBoolean() ? 3 * h : 0);
                    width = h;
                    return count;
                case nameof(Dense):
                    long units = e.GetProperty("units").GetInt32();
                    var dense = units * (width + 1);
                    width = units;
                    return dense;
                case nameof(Embedding):
                    width = e.GetProperty("dimension").GetInt32();
                    return (long)e.GetProperty("vocabulary").GetInt32() * width;
                case nameof(Bidirectional):
                    var one = CountParameters(e.GetProperty("layer"), ref width);
                    if (e.GetProperty("merge").GetString() == nameof(MergeMode.Concat)) width *= 2;
                    return 2 * one;
                case nameof(TimeDistributed):
                    return CountParameters(e.GetProperty("layer"), ref width);
                default:
                    return 0;
            }
        }
    }

    static Regularizer? ReadRegularizer(JsonElement e, string name) =>
        e.TryGetProperty(name, out var r) ? new Regularizer(r.GetProperty("l1").GetSingle(), r.GetProperty("l2").GetSingle()) : null;
}
