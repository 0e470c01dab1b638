// `lstm export MODEL --onnx out.onnx --safetensors out.safetensors`: a model file the tool wrote, for another runtime —
// ONNX (a forecaster with its scaling and differencing in the graph) or a PyTorch state_dict in safetensors.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LstmSharp.Forecasting;
using LstmSharp.IO;
using LstmSharp.Onnx;
using Onnx;

namespace LstmSharp.Cli.Commands;

internal static class ExportCommand
{
    public static Command Create(CliHost host)
    {
        var model = new Argument<string>("model") { Description = "Model file (safetensors, written by Save or any `lstm … train`)." };
        var onnx = new Option<string?>("--onnx") { Description = "Write the model as ONNX (opset 14) to this file." };
        var safetensors = new Option<string?>("--safetensors")
        {
            Description = "Write the weights alone, under PyTorch's state_dict names (lstm.weight_ih_l0, dense.weight, …), to this safetensors file.",
        };
        var networkOnly = new Option<bool>("--network-only")
        {
            Description = "For a forecaster: export the network alone (scaled, transformed windows in and out) instead of raw values in and forecasts out.",
        };
        var lengths = new Option<bool>("--lengths-input") { Description = "Add an int32 input 'lengths' [batch]: the real length of each sample of the first input." };
        var command = new Command("export", "Export a model file to ONNX or to a PyTorch state_dict (safetensors).") { model, onnx, safetensors, networkOnly, lengths };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var path = r.GetValue(model)!;
            var (onnxPath, torchPath) = (r.GetValue(onnx), r.GetValue(safetensors));
            if (onnxPath is null && torchPath is null) throw new CliException("Nothing to export: give --onnx FILE, --safetensors FILE or both.");
            CliFiles.CheckInput(path);
            if (onnxPath is not null) CliFiles.CheckOutput(onnxPath, "--onnx", path);
            if (torchPath is not null) CliFiles.CheckOutput(torchPath, "--safetensors", path, onnxPath ?? "");
            terminal.Settings("export", [("model", path), ("onnx", onnxPath), ("safetensors", torchPath), ("network only", r.GetValue(networkOnly)), ("lengths input", r.GetValue(lengths))]);

            var network = Model.Load(path);
            var task = ModelTasks.Of(network);
            var json = new JsonObject { ["command"] = "export", ["model"] = path, ["task"] = task };
            if (onnxPath is not null)
            {
                var withPreprocessing = task == ModelTasks.Forecast && !r.GetValue(networkOnly);
                if (withPreprocessing && r.GetValue(lengths)) throw new CliException("--lengths-input does not apply to a forecaster's windows, which are all full; add --network-only to export the network with it.");
                try
                {
                    // Saved atomically, and only once the whole graph is made: a refused layer writes nothing.
                    if (withPreprocessing)
                    {
                        var forecaster = Forecaster.Load(path);
                        OnnxExport.Save(forecaster, onnxPath);
                        if (forecaster.Series.Count > 0) json["series"] = new JsonArray([.. forecaster.Series.Select(id => (JsonNode?)id)]);
                    }
                    else
                    {
                        OnnxExport.Save(network, onnxPath, r.GetValue(lengths));
                    }
                }
                catch (NotSupportedException e)
                {
                    throw new CliException($"{path}: the {(task is null ? "" : $"'{CliFiles.Quote(task)}' ")}model cannot be exported to ONNX: {e.Message}");
                }
                var bytes = File.ReadAllBytes(onnxPath);
                var graph = ModelProto.Parser.ParseFrom(bytes).Graph;
                terminal.ResultLine($"{onnxPath}: ONNX, {bytes.Length:N0} bytes" + (withPreprocessing ? ", raw values in and forecasts in the target's units out" : ""));
                terminal.Results("ONNX inputs and outputs", ["value", "name", "type", "shape"],
                    [.. graph.Input.Select(v => Row("input", v)), .. graph.Output.Select(v => Row("output", v))]);
                if (json["series"] is JsonArray ids)
                    terminal.ResultLine($"input 'series': each row's series by its index: {string.Join(", ", ids.Take(10).Select((id, i) => $"{i} = {(string?)id}"))}{(ids.Count > 10 ? $" and {ids.Count - 10} more (all in --json)" : "")}");
                json["onnx"] = new JsonObject
                {
                    ["path"] = onnxPath, ["bytes"] = bytes.Length, ["preprocessing"] = withPreprocessing,
                    ["inputs"] = new JsonArray([.. graph.Input.Select(v => (JsonNode?)Describe(v))]),
                    ["outputs"] = new JsonArray([.. graph.Output.Select(v => (JsonNode?)Describe(v))]),
                };
            }
            if (torchPath is not null)
            {
                var weights = network.GetWeights();
                SafeTensors.Write(torchPath, weights);
                terminal.ResultLine($"{torchPath}: {weights.Count} tensors under PyTorch's names ({string.Join(", ", weights.Keys.Take(4))}{(weights.Count > 4 ? ", …" : "")})");
                json["safetensors"] = new JsonObject { ["path"] = torchPath, ["tensors"] = new JsonArray([.. weights.Keys.Select(k => (JsonNode?)k)]) };
            }
            terminal.Json(json);
            return 0;
        }));
        return command;
    }

    static string Type(ValueInfoProto value) => ((TensorProto.Types.DataType)value.Type.TensorType.ElemType).ToString().ToLowerInvariant();

    static string Shape(ValueInfoProto value) =>
        "[" + string.Join(", ", value.Type.TensorType.Shape.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.DimParam)) + "]";

    static IReadOnlyList<string> Row(string kind, ValueInfoProto value) => [kind, value.Name, Type(value), Shape(value)];

    static JsonObject Describe(ValueInfoProto value) => new() { ["name"] = value.Name, ["type"] = Type(value), ["shape"] = Shape(value) };
}
