// `lstm info MODEL`: what a model file holds — layers and parameter counts, how it was compiled, and its metadata.
using System.CommandLine;
using System.Text.Json.Nodes;
using LstmSharp.IO;

namespace LstmSharp.Cli.Commands;

internal static class InfoCommand
{
    public static Command Create(CliHost host)
    {
        var model = new Argument<string>("model") { Description = "Model file (safetensors, written by Save or any `lstm … train`)." };
        var command = new Command("info", "Show a model file's architecture, parameter counts, training settings and metadata.") { model };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var path = r.GetValue(model)!;
            terminal.Settings("info", [("model", path)]);
            var m = Model.Load(path);
            var task = CliFiles.Quote(ModelTasks.Of(m) ?? "none");
            terminal.ResultLine($"{path}: {new FileInfo(path).Length:N0} bytes, task '{task}', {m.ParameterCount:N0} parameters");
            terminal.ResultLine(m.Summary());
            terminal.Results("layers", ["layer", "type", "output shape", "parameters"],
                m.Layers.Select(l => (IReadOnlyList<string>)[l.Name, l.GetType().Name, string.Join(", ", m.OutputsOf(l).Select(o => o.Describe())), l.ParameterCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)]));
            var compiled = m.Optimizer is null ? "not compiled" : $"{m.Optimizer.GetType().Name} (learning rate {m.Optimizer.LearningRate}), loss {m.Loss!.GetType().Name}" +
                (m.Metrics.Count > 0 ? $", metrics {string.Join(", ", m.Metrics.Select(x => x.Name))}" : "");
            terminal.ResultLine($"Training settings: {compiled}");
            terminal.Results("metadata", ["key", "value"], m.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => (IReadOnlyList<string>)[CliFiles.Quote(kv.Key, 200), CliFiles.Quote(kv.Value, 200)]));
            terminal.Json(new JsonObject
            {
                ["command"] = "info", ["model"] = path, ["task"] = task, ["parameters"] = m.ParameterCount, ["compiled"] = compiled,
                ["input_shape"] = new JsonArray([.. m.InputShape.Select(d => (JsonNode?)d)]),
                ["layers"] = new JsonArray([.. m.Layers.Select(l => (JsonNode?)new JsonObject { ["name"] = l.Name, ["type"] = l.GetType().Name, ["parameters"] = l.ParameterCount })]),
                ["metadata"] = new JsonObject([.. m.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
            });
            return 0;
        }));
        return command;
    }
}
