// CompileSettings: a model's optimizer (type, hyper-parameters, clipping), loss and metrics as JSON, so a loaded
// model comes back compiled. Learning-rate schedules are not stored.
using System.Text;
using System.Text.Json;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;

namespace LstmSharp.IO;

internal static class CompileSettings
{
    public static string Write(Model model)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            var o = model.Optimizer!;
            json.WriteStartObject("optimizer");
            json.WriteString("type", o.GetType().Name);
            json.WriteNumber("learning_rate", o.LearningRate);
            if (o.GlobalClipNorm is { } norm) json.WriteNumber("global_clip_norm", norm);
            if (o.ClipValue is { } value) json.WriteNumber("clip_value", value);
            switch (o)
            {
                case Sgd sgd: json.WriteNumber("momentum", sgd.Momentum); json.WriteBoolean("nesterov", sgd.Nesterov); break;
                case Adam adam: json.WriteNumber("beta1", adam.Beta1); json.WriteNumber("beta2", adam.Beta2); json.WriteNumber("epsilon", adam.Epsilon); break;
                case AdamW w: json.WriteNumber("weight_decay", w.WeightDecay); json.WriteNumber("beta1", w.Beta1); json.WriteNumber("beta2", w.Beta2); json.WriteNumber("epsilon", w.Epsilon); break;
                case RmsProp r: json.WriteNumber("rho", r.Rho); json.WriteNumber("momentum", r.Momentum); json.WriteNumber("epsilon", r.Epsilon); json.WriteBoolean("centered", r.Centered); break;
                case Adagrad a: json.WriteNumber("initial_accumulator", a.InitialAccumulator); json.WriteNumber("epsilon", a.Epsilon); break;
                default: throw new NotSupportedException($"Optimizer {o.GetType().Name} cannot be saved.");
            }
            json.WriteEndObject();
            if (model.Outputs.Count == 1)
            {
                if (model.LossWeights[0] != 1f) json.WriteNumber("loss_weight", model.LossWeights[0]);
                WriteLoss(json, model.Loss!);
                WriteMetrics(json, model.Metrics);
            }
            else
            {
                // One entry per output: its name, loss, weight and metrics.
                json.WriteStartArray("outputs");
                for (var k = 0; k < model.Outputs.Count; k++)
                {
                    json.WriteStartObject();
                    json.WriteString("name", model.Outputs[k].Name);
                    json.WriteNumber("weight", model.LossWeights[k]);
                    WriteLoss(json, model.Losses[k]);
                    WriteMetrics(json, model.OutputMetrics[k]);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    static void WriteLoss(Utf8JsonWriter json, Loss loss)
    {
        json.WriteStartObject("loss");
        json.WriteString("type", loss.GetType().Name);
        switch (loss)
        {
            case Huber h: json.WriteNumber("delta", h.Delta); break;
            case BinaryCrossentropy b: json.WriteBoolean("from_logits", b.FromLogits); break;
            case CategoricalCrossentropy c: json.WriteBoolean("from_logits", c.FromLogits); break;
            case SparseCategoricalCrossentropy s: json.WriteBoolean("from_logits", s.FromLogits); break;
            case CrfLoss crf: json.WriteString("layer", crf.Crf.Name); break;
            case QuantileLoss q:
                json.WriteStartArray("quantiles");
                foreach (var tau in q.Quantiles) json.WriteNumberValue(tau);
                json.WriteEndArray();
                break;
        }
        json.WriteEndObject();
    }

    static void WriteMetrics(Utf8JsonWriter json, IReadOnlyList<Metric> metrics)
    {
        json.WriteStartArray("metrics");
        foreach (var m in metrics)
        {
            json.WriteStartObject();
            json.WriteString("type", m.GetType().Name);
            if (m is BinaryAccuracy ba) json.WriteNumber("threshold", ba.Threshold);
            if (m is Perplexity p) json.WriteBoolean("from_logits", p.FromLogits);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    public static void Apply(Model model, string settings)
    {
        using var doc = JsonDocument.Parse(settings);
        var root = doc.RootElement;
        var o = root.Required("optimizer");
        var lr = F(o, "learning_rate");
        float? norm = o.TryGetProperty("global_clip_norm", out var n) ? n.GetSingle() : null;
        float? clip = o.TryGetProperty("clip_value", out var c) ? c.GetSingle() : null;
        Optimizer optimizer = o.Required("type").GetString() switch
        {
            nameof(Sgd) => new Sgd(lr, F(o, "momentum"), o.Required("nesterov").GetBoolean()) { GlobalClipNorm = norm, ClipValue = clip },
            nameof(Adam) => new Adam(lr, F(o, "beta1"), F(o, "beta2"), F(o, "epsilon")) { GlobalClipNorm = norm, ClipValue = clip },
            nameof(AdamW) => new AdamW(lr, F(o, "weight_decay"), F(o, "beta1"), F(o, "beta2"), F(o, "epsilon")) { GlobalClipNorm = norm, ClipValue = clip },
            nameof(RmsProp) => new RmsProp(lr, F(o, "rho"), F(o, "momentum"), F(o, "epsilon"), o.Required("centered").GetBoolean()) { GlobalClipNorm = norm, ClipValue = clip },
            nameof(Adagrad) => new Adagrad(lr, F(o, "initial_accumulator"), F(o, "epsilon")) { GlobalClipNorm = norm, ClipValue = clip },
            var t => throw new FormatException($"unknown optimizer '{t}'"),
        };
        if (root.TryGetProperty("outputs", out var outputs))
        {
            var entries = outputs.EnumerateArray().ToArray();
            model.Compile(optimizer,
                entries.ToDictionary(e => e.Name(), e => ReadLoss(e.Required("loss"), model)),
                entries.ToDictionary(e => e.Name(), e => F(e, "weight")),
                entries.ToDictionary(e => e.Name(), e => ReadMetrics(e.Required("metrics"))));
            return;
        }
        var output = model.Outputs[0].Name;
        model.Compile(optimizer,
            new Dictionary<string, Loss> { [output] = ReadLoss(root.Required("loss"), model) },
            new Dictionary<string, float> { [output] = root.TryGetProperty("loss_weight", out var weight) ? weight.GetSingle() : 1f },
            new Dictionary<string, Metric[]> { [output] = ReadMetrics(root.Required("metrics")) });
    }

    static Crf CrfLayer(Model model, string? name)
        => model.Layers.OfType<Crf>().FirstOrDefault(c => c.Name == name) ?? throw new FormatException($"the CRF loss names layer '{name}', which is not a Crf layer of the model");

    static float F(JsonElement e, string name) => e.Required(name).GetSingle();

    static bool Logits(JsonElement e) => e.TryGetProperty("from_logits", out var v) && v.GetBoolean();

    static Loss ReadLoss(JsonElement l, Model model) => l.Required("type").GetString() switch
        {
            nameof(MeanSquaredError) => new MeanSquaredError(),
            nameof(MeanAbsoluteError) => new MeanAbsoluteError(),
            nameof(Huber) => new Huber(F(l, "delta")),
            nameof(BinaryCrossentropy) => new BinaryCrossentropy(Logits(l)),
            nameof(CategoricalCrossentropy) => new CategoricalCrossentropy(Logits(l)),
            nameof(SparseCategoricalCrossentropy) => new SparseCategoricalCrossentropy(Logits(l)),
            nameof(CrfLoss) => new CrfLoss(CrfLayer(model, l.Required("layer").GetString())),
            nameof(QuantileLoss) => new QuantileLoss([.. l.Required("quantiles").EnumerateArray().Select(q => q.GetSingle())]),
            var t => throw new FormatException($"unknown loss '{t}'"),
        };

    static Metric[] ReadMetrics(JsonElement metrics) => metrics.EnumerateArray().Select(m => m.Required("type").GetString() switch
        {
            nameof(BinaryAccuracy) => (Metric)new BinaryAccuracy(F(m, "threshold")),
            nameof(CategoricalAccuracy) => new CategoricalAccuracy(),
            nameof(SparseCategoricalAccuracy) => new SparseCategoricalAccuracy(),
            nameof(MeanAbsoluteErrorMetric) => new MeanAbsoluteErrorMetric(),
            nameof(RootMeanSquaredError) => new RootMeanSquaredError(),
            nameof(Perplexity) => new Perplexity(Logits(m)),
            var t => throw new FormatException($"unknown metric '{t}'"),
        }).ToArray();
}
