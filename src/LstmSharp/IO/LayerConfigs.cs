// LayerConfigs: every layer type that model files can hold, registered once — its reader here, its writer
// (WriteConfig) and parameter count (ParameterCountFor) in its own file. A new layer adds one line to Readers.
using System.Text.Json;
using LstmSharp.Layers;

namespace LstmSharp.IO;

internal static class LayerConfigs
{
    /// <summary>Type name → the layer rebuilt (unbuilt) from its config, with its name.</summary>
    static readonly Dictionary<string, Func<JsonElement, string, Layer>> Readers = new()
    {
        [nameof(Lstm)] = ReadLstm,
        [nameof(Gru)] = (e, name) => new Gru(Int(e, "units"), ReadRnn<GruOptions>(e, name) with { ResetAfter = Bool(e, "reset_after", true) }),
        [nameof(SimpleRnn)] = (e, name) => new SimpleRnn(Int(e, "units"), ReadRnn<RnnOptions>(e, name)),
        [nameof(Dense)] = (e, name) => new Dense(Int(e, "units"), Strict<Activation>(e, "activation"), name,
            ReadRegularizer(e, "kernel_regularizer"), ReadRegularizer(e, "bias_regularizer")),
        [nameof(Embedding)] = (e, name) => new Embedding(Int(e, "vocabulary"), Int(e, "dimension"), name, maskZero: Bool(e, "mask_zero", true),
            dropout: Float(e, "dropout", 0f)),
        [nameof(Dropout)] = (e, name) => new Dropout(e.Required("rate").GetSingle(), Int(e, "seed"), name),
        [nameof(SpatialDropout1D)] = (e, name) => new SpatialDropout1D(e.Required("rate").GetSingle(), Int(e, "seed"), name),
        [nameof(Masking)] = (e, name) => new Masking(e.Required("mask_value").GetSingle(), name),
        [nameof(Bidirectional)] = (e, name) => new Bidirectional(Read(e.Required("layer")) as Rnn ?? throw new FormatException("Bidirectional wraps a recurrent layer."),
            Strict<MergeMode>(e, "merge"), name),
        [nameof(TimeDistributed)] = (e, name) => new TimeDistributed(Read(e.Required("layer")), name),
        [nameof(Concatenate)] = (e, name) => new Concatenate(Int(e, "axis"), name),
        [nameof(Layers.Add)] = (_, name) => new Layers.Add(name),
        [nameof(Multiply)] = (_, name) => new Multiply(name),
        [nameof(Average)] = (_, name) => new Average(name),
        [nameof(RepeatVector)] = (e, name) => new RepeatVector(Int(e, "count"), name),
        [nameof(Reshape)] = (e, name) => new Reshape([.. e.Required("target_shape").EnumerateArray().Select(d => d.GetInt32())], name),
        [nameof(Flatten)] = (_, name) => new Flatten(name),
        [nameof(GlobalMaxPooling1D)] = (_, name) => new GlobalMaxPooling1D(name),
        [nameof(GlobalAveragePooling1D)] = (_, name) => new GlobalAveragePooling1D(name),
        [nameof(Attention)] = (e, name) => new Attention(ReadAttention(e, name)),
        [nameof(AdditiveAttention)] = ReadAdditiveAttention,
        [nameof(AttentionLstm)] = (e, name) => new AttentionLstm(Int(e, "units"), new AttentionLstmOptions
        {
            Name = name, Score = Strict<AttentionScore>(e, "score"),
            AttentionUnits = e.TryGetProperty("attention_units", out var units) ? units.GetInt32() : null,
            InputFeeding = e.Required("input_feeding").GetBoolean(), ReturnAttentionScores = e.Required("return_attention_scores").GetBoolean(),
            UnitForgetBias = e.Required("unit_forget_bias").GetBoolean(),
        }),
        [nameof(Crf)] = ReadCrf,
        [nameof(Model)] = (e, name) => ModelFile.ReadGraph(e.Required("graph"), name),
        [nameof(Sequential)] = (e, name) => ModelFile.ReadGraph(e.Required("graph"), name),
    };

    /// <summary>Writes <paramref name="layer"/> as <c>{"type", "name", …its settings}</c>.</summary>
    public static void Write(Utf8JsonWriter json, Layer layer)
    {
        if (!Readers.ContainsKey(layer.GetType().Name))
            throw new NotSupportedException($"Layer '{layer.Name}' of type {layer.GetType().Name} cannot be saved.");
        json.WriteStartObject();
        json.WriteString("type", layer.GetType().Name);
        json.WriteString("name", layer.Name);
        if (!layer.Trainable) json.WriteBoolean("trainable", false);
        if (layer.LearningRateMultiplier != 1f) json.WriteNumber("learning_rate_multiplier", layer.LearningRateMultiplier);
        layer.WriteConfig(json);
        json.WriteEndObject();
    }

    /// <summary>The unbuilt layer a config describes.</summary>
    public static Layer Read(JsonElement e)
    {
        var type = e.Required("type").GetString() ?? "";
        var name = e.Name();
        var layer = Readers.TryGetValue(type, out var read) ? read(e, name) : throw new FormatException($"unknown layer type '{type}'");
        if (e.TryGetProperty("trainable", out var trainable)) layer.Trainable = trainable.GetBoolean();
        if (e.TryGetProperty("learning_rate_multiplier", out var multiplier)) layer.LearningRateMultiplier = multiplier.GetSingle();
        return layer;
    }

    public static void WriteRegularizer(Utf8JsonWriter json, string name, Regularizer? regularizer)
    {
        if (regularizer is null) return;
        json.WriteStartObject(name);
        json.WriteNumber("l1", regularizer.L1);
        json.WriteNumber("l2", regularizer.L2);
        json.WriteEndObject();
    }

    static Regularizer? ReadRegularizer(JsonElement e, string name) =>
        e.TryGetProperty(name, out var r) ? new Regularizer(r.Required("l1").GetSingle(), r.Required("l2").GetSingle()) : null;

    /// <summary>The options every recurrent layer has; files written before an option existed get its default.</summary>
    static T ReadRnn<T>(JsonElement e, string name) where T : RnnOptions, new() => new()
    {
        Name = name,
        ReturnSequences = e.Required("return_sequences").GetBoolean(),
        GoBackwards = e.Required("go_backwards").GetBoolean(),
        Stateful = Bool(e, "stateful", false),
        UseBias = Bool(e, "use_bias", true),
        ZeroOutputForMask = Bool(e, "zero_output_for_mask", true),
        Dropout = e.Required("dropout").GetSingle(),
        RecurrentDropout = e.Required("recurrent_dropout").GetSingle(),
        WeightDropout = Float(e, "weight_dropout", 0f),
        KernelRegularizer = ReadRegularizer(e, "kernel_regularizer"),
        RecurrentRegularizer = ReadRegularizer(e, "recurrent_regularizer"),
        BiasRegularizer = ReadRegularizer(e, "bias_regularizer"),
    };

    static AttentionOptions ReadAttention(JsonElement e, string name) => new()
    {
        Name = name, Score = Strict<AttentionScore>(e, "score"), LearnScale = e.Required("learn_scale").GetBoolean(),
        ScaleByDimension = e.Required("scale_by_dimension").GetBoolean(), Dropout = e.Required("dropout").GetSingle(),
        Causal = e.Required("causal").GetBoolean(), ReturnAttentionScores = e.Required("return_attention_scores").GetBoolean(),
        Units = e.TryGetProperty("units", out var units) ? units.GetInt32() : null,
    };

    static AdditiveAttention ReadAdditiveAttention(JsonElement e, string name)
    {
        var o = ReadAttention(e, name);
        return new AdditiveAttention(o.LearnScale, o.Dropout, o.Causal, o.ReturnAttentionScores, name);
    }

    static Lstm ReadLstm(JsonElement e, string name) => new(Int(e, "units"), ReadRnn<LstmOptions>(e, name) with
    {
        Peepholes = e.Required("peepholes").GetBoolean(), UnitForgetBias = e.Required("unit_forget_bias").GetBoolean(),
    });

    static int Int(JsonElement e, string name) => e.Required(name).GetInt32();

    static bool Bool(JsonElement e, string name, bool missing) => e.TryGetProperty(name, out var value) ? value.GetBoolean() : missing;

    static float Float(JsonElement e, string name, float missing) => e.TryGetProperty(name, out var value) ? value.GetSingle() : missing;

    static T Strict<T>(JsonElement e, string name) where T : struct, Enum => ParseName<T>(e.Required(name).GetString(), name);

    /// <summary>
    /// The member of <typeparamref name="T"/> named exactly <paramref name="text"/>. <see cref="Enum.Parse{TEnum}(string)"/>
    /// would also take numbers ("999") and combinations ("Relu, Tanh"), which a damaged file must not turn into a model.
    /// </summary>
    /// <exception cref="FormatException">The text is not one of the names.</exception>
    public static T ParseName<T>(string? text, string field) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
            if (string.Equals(value.ToString(), text, StringComparison.Ordinal)) return value;
        throw new FormatException($"{field} is '{SafeTensors.Excerpt(text ?? "null")}'; expected one of {string.Join(", ", Enum.GetNames<T>())}");
    }

    static Crf ReadCrf(JsonElement e, string name)
    {
        if (!e.TryGetProperty("constraints", out var c)) return new Crf(name: name);
        static bool[] Flags(JsonElement c, string key) => [.. c.Required(key).EnumerateArray().Select(f => f.GetInt32() switch
        {
            0 => false,
            1 => true,
            var v => throw new FormatException($"CRF constraint flags are 0 or 1; '{key}' holds {v}"),
        })];
        return new Crf(CrfConstraints.Validated(Flags(c, "transitions"), Flags(c, "start"), Flags(c, "end")), name);
    }
}
