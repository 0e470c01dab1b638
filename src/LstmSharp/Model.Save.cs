// Model.Save: one-file model files (safetensors with the architecture in its metadata), and checkpoints
// that add the training state (optimizer slots and step, learning rate, epoch, sample order, every random
// generator) so Fit can resume exactly where it stopped.
using System.Globalization;
using System.Text;
using System.Text.Json;
using LstmSharp.Internals;
using LstmSharp.IO;

namespace LstmSharp;

public partial class Model
{
    /// <summary>
    /// Saves the architecture and weights to one safetensors file, atomically: an existing file is replaced only
    /// once the new one is completely written. Predictions of the loaded model are bit-identical.
    /// </summary>
    /// <exception cref="TrainingDivergedException">A weight is NaN or infinite (training diverged); nothing is written.</exception>
    public void Save(string path) => ModelFile.Save(this, path);

    /// <summary>
    /// Saves the model and, during <see cref="Fit(Tensor, Tensor, FitOptions?)"/>, its training state: a checkpoint that
    /// <see cref="FitOptions.ResumeFrom"/> continues from, giving the same weights as an uninterrupted run.
    /// </summary>
    public void SaveCheckpoint(string path) => ModelFile.Save(this, path, _fitEpoch == 0 ? null : CaptureTrainingState());

    ModelFile.TrainingState CaptureTrainingState()
    {
        var optimizer = Optimizer!;
        var names = ParameterNames();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("epoch", _fitEpoch);
            json.WriteNumber("iterations", optimizer.Iterations);
            json.WriteNumber("learning_rate", optimizer.LearningRate);
            json.WriteString("optimizer", optimizer.GetType().Name);
            json.WriteStartObject("parameter_steps");
            foreach (var (parameter, steps) in optimizer.ExportSteps())
                if (names.TryGetValue(parameter, out var key)) json.WriteNumber(key, steps);
            json.WriteEndObject();
            if (_fitData is { } data) WriteState(json, "shuffle_rng", data.Shuffle.State);
            json.WriteStartArray("layer_rngs");
            foreach (var rng in RandomGenerators()) WriteState(json, null, rng.State);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        var tensors = new Dictionary<string, Tensor>();
        if (_fitData is { } fitData) tensors["order"] = new Tensor([.. fitData.Order.Select(i => (float)i)], fitData.Order.Length);
        foreach (var (parameter, index, values) in optimizer.ExportSlots())
            tensors[$"optimizer/{names[parameter]}/{index.ToString(CultureInfo.InvariantCulture)}"] = new Tensor((float[])values.Clone(), values.Length);
        return new ModelFile.TrainingState(Encoding.UTF8.GetString(buffer.ToArray()), tensors);
    }

    static void WriteState(Utf8JsonWriter json, string? name, ulong[] state)
    {
        if (name is null) json.WriteStartArray();
        else json.WriteStartArray(name);
        foreach (var word in state) json.WriteStringValue(word.ToString(CultureInfo.InvariantCulture));
        json.WriteEndArray();
    }

    Dictionary<Parameter, string> ParameterNames() => ParameterKeys().ToDictionary(k => k.Parameter, k => k.Key);

    /// <summary>Restores weights and training state from a checkpoint; returns the epoch it was saved after.</summary>
    int RestoreCheckpoint(string path, TensorBatches? data)
    {
        var training = ModelFile.ReadTrainingState(path)
            ?? throw new InvalidDataException($"{path}: the file holds no training state; save it with SaveCheckpoint (or ModelCheckpoint with a path) during Fit.");
        SetWeights(Load(path).GetWeights());
        var optimizer = Optimizer!;
        try
        {
            using var json = JsonDocument.Parse(training.Json);
            var root = json.RootElement;
            var type = root.Required("optimizer").GetString();
            if (type != optimizer.GetType().Name)
                throw new InvalidDataException($"{path}: the checkpoint's optimizer is {type}; the model is compiled with {optimizer.GetType().Name}.");
            optimizer.Iterations = root.Required("iterations").GetInt64();
            var parameters = ParameterNames().ToDictionary(p => p.Value, p => p.Key);
            if (root.TryGetProperty("parameter_steps", out var steps))
            {
                foreach (var entry in steps.EnumerateObject()) optimizer.ImportSteps(parameters[entry.Name], entry.Value.GetInt64());
            }
            else
            {
                // Checkpoints from before per-parameter counts counted every parameter's steps as the optimizer's.
                foreach (var parameter in parameters.Values) optimizer.ImportSteps(parameter, optimizer.Iterations);
            }
            optimizer.LearningRate = root.Required("learning_rate").GetSingle();
            var generators = RandomGenerators().ToArray();
            var states = root.Required("layer_rngs").EnumerateArray().Select(ReadState).ToArray();
            if (states.Length != generators.Length)
                throw new InvalidDataException($"{path}: the checkpoint has {states.Length} layer random generators; the model has {generators.Length}.");
            for (var i = 0; i < generators.Length; i++) generators[i].State = states[i];
            if (data is not null)
            {
                data.Shuffle.State = ReadState(root.Required("shuffle_rng"));
                var storedOrder = training.Tensors["order"];
                if (storedOrder.Length != data.Order.Length)
                    throw new InvalidDataException($"{path}: the checkpoint was trained on {storedOrder.Length} samples; this Fit has {data.Order.Length}.");
                var seen = new bool[data.Order.Length];
                for (var i = 0; i < data.Order.Length; i++)
                {
                    var v = storedOrder.Span[i];
                    if (!(v >= 0 && v < seen.Length && v == MathF.Floor(v)) || seen[(int)v])
                        throw new InvalidDataException($"{path}: the checkpoint's sample order is not a permutation of 0..{seen.Length - 1} (entry {i} is {v}).");
                    seen[(int)v] = true;
                    data.Order[i] = (int)v;
                }
            }
            foreach (var (name, tensor) in training.Tensors)
            {
                if (!name.StartsWith("optimizer/", StringComparison.Ordinal)) continue;
                var slash = name.LastIndexOf('/');
                var parameter = parameters[name["optimizer/".Length..slash]];
                optimizer.ImportSlot(parameter, int.Parse(name[(slash + 1)..], CultureInfo.InvariantCulture), tensor.ToArray());
            }
            return root.Required("epoch").GetInt32();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: the training state cannot be read: {e.Message}", e);
        }
    }

    static ulong[] ReadState(JsonElement e) => e.EnumerateArray().Select(w => ulong.Parse(w.GetString()!, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// Strings saved with the model (in the file header) and restored by <see cref="Load"/>: vocabularies,
    /// scalers, provenance — whatever an application needs to use the model again.
    /// </summary>
    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>();

    /// <summary>
    /// Loads a model saved by <see cref="Save"/> (a <see cref="Sequential"/> comes back as one); the file's errors
    /// name the file and the problem. A file that would make the model allocate more than
    /// <paramref name="limits"/> allow (default <see cref="ModelFileLimits.Default"/>) is refused before it does.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid LstmSharp model file.</exception>
    public static Model Load(string path, ModelFileLimits? limits = null) => ModelFile.Load(path, limits);
}
