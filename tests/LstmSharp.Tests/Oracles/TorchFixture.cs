// TorchFixture: reads the committed PyTorch fixtures (tools/torch_fixtures/make_fixtures.py writes them):
// inputs, weights, outputs and every gradient, computed by PyTorch in float64.
using System.Text.Json;

namespace LstmSharp.Tests.Oracles;

public sealed class TorchFixture
{
    readonly Dictionary<string, (int[] Shape, double[] Data)> _tensors = [];

    TorchFixture(string name) => Name = name;

    public string Name { get; }
    public string Module { get; private set; } = "";
    public JsonElement Config { get; private set; }

    public int ConfigInt(string key) => Config.GetProperty(key).GetInt32();
    public bool ConfigBool(string key) => Config.TryGetProperty(key, out var v) && v.GetBoolean();

    public static TorchFixture Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var fixture = new TorchFixture(name)
        {
            Module = doc.RootElement.GetProperty("module").GetString()!,
            Config = doc.RootElement.GetProperty("config").Clone(),
        };
        foreach (var t in doc.RootElement.GetProperty("tensors").EnumerateObject())
        {
            var shape = t.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var data = t.Value.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            fixture._tensors[t.Name] = (shape, data);
        }
        return fixture;
    }

    public bool Has(string name) => _tensors.ContainsKey(name);

    public double[] Data(string name) => _tensors.TryGetValue(name, out var t)
        ? t.Data
        : throw new KeyNotFoundException($"Fixture '{Name}' has no tensor '{name}'.");

    public int[] Shape(string name) => _tensors[name].Shape;

    /// <summary>The tensor as float32 (inputs and weights are exact float32 values).</summary>
    public Tensor Tensor(string name) => new(Data(name).Select(v => (float)v).ToArray(), Shape(name));

    /// <summary>Entry <paramref name="index"/> along the first axis, e.g. one layer's state out of h0.</summary>
    public Tensor Slice(string name, int index) => Tensor(name).Slice(index).Clone();
}
