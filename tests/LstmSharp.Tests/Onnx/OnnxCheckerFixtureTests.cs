// The exported ONNX files pass ONNX's own checks: tools/onnx_checker ran onnx.checker.check_model(full_check=True)
// and strict shape inference on the models of OnnxCheckedModels and recorded the results in Fixtures/onnx/checked.json
// with each file's structure hash. Here today's export of the same models must have exactly that structure (the
// weights aside), so a change to the exporter that could break the checker fails until the tool is rerun.
using System.Text.Json.Nodes;
using LstmSharp.OnnxChecker;
using Onnx;
using Xunit;

namespace LstmSharp.Tests.Onnx;

public sealed class OnnxCheckerFixtureTests
{
    const string Rerun = "the export changed since tools/onnx_checker last checked it: run its two commands (tools/onnx_checker/README.md) and commit Fixtures/onnx/checked.json";

    static readonly JsonObject Fixture =
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx", "checked.json")))!.AsObject();

    public static TheoryData<string> Names() => [.. OnnxCheckedModels.All.Select(m => m.Name)];

    [Fact]
    public void Fixture_CoversEveryCheckedModel() =>
        Assert.Equal(OnnxCheckedModels.All.Select(m => m.Name).Order(StringComparer.Ordinal), Fixture.Select(kv => kv.Key).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Names))]
    public void Export_HasTheStructureThatPassedOnnxChecker(string name)
    {
        var entry = Fixture[name]!.AsObject();
        Assert.Equal("pass", (string?)entry["check_model"]);
        Assert.Equal("pass", (string?)entry["infer_shapes"]);
        var bytes = OnnxCheckedModels.All.Single(m => m.Name == name).Export();
        Assert.True((string?)entry["structure_sha256"] == OnnxCheckedModels.StructureHash(bytes), $"{name}: {Rerun}.");

        // What shape inference derived for each output agrees with the shape the export declares.
        var outputs = ModelProto.Parser.ParseFrom(bytes).Graph.Output;
        var recorded = entry["outputs"]!.AsArray();
        Assert.Equal(outputs.Count, recorded.Count);
        for (var o = 0; o < outputs.Count; o++)
        {
            var declared = outputs[o].Type.TensorType.Shape.Dim;
            var inferred = recorded[o]!["inferred"]!.AsArray();
            Assert.Equal(outputs[o].Name, (string?)recorded[o]!["name"]);
            Assert.Equal(declared.Count, inferred.Count);
            for (var d = 0; d < declared.Count; d++)
            {
                if (declared[d].HasDimValue && inferred[d] is JsonValue v && v.TryGetValue<long>(out var size))
                    Assert.True(size == declared[d].DimValue, $"{name} output '{outputs[o].Name}' axis {d}: declared {declared[d].DimValue}, inferred {size}.");
            }
        }
    }
}
