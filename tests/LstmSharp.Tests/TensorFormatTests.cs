// TensorFormatTests: Tensor.ToString against what numpy 1.24's str() prints for the same float32 arrays (fixture from
// tools/tensor_format/make_fixture.py): notation, padding, wrapping at 75 columns and "..." past 1,000 values.
using System.Globalization;
using System.Text.Json;
using Xunit;

namespace LstmSharp.Tests;

public sealed class TensorFormatTests
{
    static readonly JsonElement Cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tensor_format", "numpy_str.json"))).RootElement.GetProperty("cases");

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var c in Cases.EnumerateArray()) names.Add(c.GetProperty("name").GetString()!);
        return names;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ToString_Values_AreWhatNumpyPrints(string name)
    {
        var c = Cases.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var shape = c.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var values = c.GetProperty("values").EnumerateArray().Select(v => float.Parse(v.GetString()!, CultureInfo.InvariantCulture)).ToArray();
        var tensor = new Tensor(values, shape);
        var expected = $"Tensor[{string.Join(", ", shape)}]\n{c.GetProperty("text").GetString()}";
        Assert.Equal(expected, tensor.ToString());
    }

    [Fact]
    public void ToString_View_ShowsOnlyItsOwnValues()
    {
        var tensor = new Tensor([1f, 2f, 3f, 4f, 5f, 6f], 3, 2);
        Assert.Equal("Tensor[2]\n[3. 4.]", tensor.Slice(1).ToString());
    }
}
