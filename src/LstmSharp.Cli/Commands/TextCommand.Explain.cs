// `lstm text explain`: what one unit of a language model's LSTM does over a text (Karpathy, Johnson & Fei-Fei 2015) —
// its cell, hidden state or a gate at every token (LanguageModel.Activations), coloured blue … red in a terminal, with
// numbers elsewhere, optionally as an HTML page; --top lists the units that vary most over the text.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LstmSharp.Layers;
using LstmSharp.Text;
using static LstmSharp.Cli.CommonOptions;

namespace LstmSharp.Cli.Commands;

internal static partial class TextCommand
{
    static readonly Dictionary<string, LstmActivation> Gates = new(StringComparer.Ordinal)
    {
        ["cell"] = LstmActivation.Cell, ["hidden"] = LstmActivation.Hidden, ["input"] = LstmActivation.InputGate,
        ["forget"] = LstmActivation.ForgetGate, ["output"] = LstmActivation.OutputGate, ["candidate"] = LstmActivation.Candidate,
    };

    static Command Explain(CliHost host)
    {
        var input = new Argument<string>("text") { Description = "Text to read (default: --file, else standard input).", Arity = ArgumentArity.ZeroOrOne };
        var model = new Option<string>("--model", "-m") { Description = "Model file written by `lstm text train`.", DefaultValueFactory = _ => "text.safetensors" };
        var file = Opt("--file", "Read the text from this file instead (default: none).", "");
        var unit = Opt("--unit", "The unit to show (0 = the first; default: the --top units).", -1);
        var layer = Opt("--layer", "The LSTM layer (0 = the first, which reads the embeddings).", 0);
        var gate = Opt("--gate", "What to show: cell (as tanh(c)), hidden, or the input, forget, output gate or candidate.", "cell");
        gate.AcceptOnlyFromAmong([.. Gates.Keys]);
        var top = Opt("--top", "List the K units whose values vary most over the text (standard deviation), and show them when --unit is not given.", 0);
        var html = Opt("--html", "Write an HTML page with the tokens coloured by the unit's value (default: none).", "");
        var command = new Command("explain", "Show one LSTM unit's cell, hidden state or gate at every token of a text (blue −1 … red +1), or the units that vary most.")
        {
            input, model, file, unit, layer, gate, top, html,
        };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var path = r.GetValue(model)!;
            var lm = LanguageModel.Load(path);
            var layers = lm.LstmLayers;
            var l = r.GetValue(layer);
            if ((uint)l >= (uint)layers.Count) throw new CliException($"--layer must be in [0, {layers.Count - 1}] (the model has {layers.Count} LSTM layer(s)); received {l}.");
            var units = layers[l].Units;
            var (u, k) = (r.GetValue(unit), r.GetValue(top));
            if (u >= units || u < -1) throw new CliException($"--unit must be in [0, {units - 1}] (layer {l} has {units} units); received {u}.");
            if (k < 0) throw new CliException($"--top must be 0 (none) or more; received {k}.");
            if (u < 0 && k == 0) throw new CliException("Give --unit N to show one unit, or --top K to find the units that vary most.");
            var page = r.GetValue(html)!;
            var textPath = r.GetValue(file)!;
            if (page.Length > 0) CliFiles.CheckOutput(page, "--html", path, textPath);
            var text = textPath.Length > 0 ? ReadText(textPath) : r.GetValue(input) ?? host.In.ReadToEnd();
            text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
            if (string.IsNullOrWhiteSpace(text)) throw new CliException("The text is empty; give a text, --file or text on standard input.");
            var which = Gates[r.GetValue(gate)!];
            terminal.Settings("text explain", [
                ("model", CliFiles.Show(path)), ("text", $"{text.Length:N0} characters"), ("layer", $"{l} of {layers.Count} ({units} units)"),
                ("shown", r.GetValue(gate) + (which == LstmActivation.Cell ? " state, as tanh(c)" : which == LstmActivation.Hidden ? " state" : " gate")),
                ("units", u >= 0 ? u : $"the {k} that vary most"), ("html", page.Length == 0 ? "none" : CliFiles.Show(page)),
            ]);
            var trace = lm.Activations(text, l, which);
            var values = trace.Values.ToArray();   // [tokens, units]
            var steps = trace.Tokens.Count;

            var json = new JsonObject { ["command"] = "text explain", ["model"] = path, ["layer"] = l, ["gate"] = r.GetValue(gate), ["tokens"] = steps };
            var ranked = k > 0 ? trace.MostVarying(Math.Min(k, units)) : [];
            if (k > 0)
            {
                terminal.Results($"the {ranked.Count} units of layer {l} whose {r.GetValue(gate)} varies most over the text", ["unit", "std", "min", "max"],
                    ranked.Select(t => (IReadOnlyList<string>)[t.Unit.ToString(CultureInfo.InvariantCulture), Terminal.F(t.StandardDeviation), Terminal.F(Column(t.Unit).Min()), Terminal.F(Column(t.Unit).Max())]));
                json["top"] = new JsonArray([.. ranked.Select(t => (JsonNode?)new JsonObject { ["unit"] = t.Unit, ["std"] = t.StandardDeviation })]);
            }
            var shown = u >= 0 ? [u] : ranked.Select(t => t.Unit).ToArray();
            var sections = new List<HeatSection>();
            var traces = new JsonArray();
            foreach (var j in shown)
            {
                var column = Column(j);
                var tokens = trace.Tokens.Select((t, i) => new TokenScore(t.Token, t.Range, column[i], Shade(column[i], which))).ToArray();
                var heading = $"layer {l}, unit {j}: {r.GetValue(gate)}";
                var summary = $"min {Terminal.F(column.Min())}, max {Terminal.F(column.Max())} over {steps} tokens";
                terminal.ResultLine($"{heading} ({summary})");
                if (terminal.Colours) terminal.ResultMarkup(TokenHeat.Markup(text, tokens, HeatScale.BlueRed));
                else terminal.ResultLine(TokenHeat.Plain(text, tokens));
                sections.Add(new HeatSection(heading, summary, text, tokens));
                traces.Add((JsonNode)new JsonObject { ["unit"] = j, ["values"] = new JsonArray([.. column.Select(v => (JsonNode?)v)]) });
            }
            json["traces"] = traces;
            if (page.Length > 0)
            {
                TokenHeat.WriteHtml(page, $"{Path.GetFileName(path)}: LSTM layer {l}, {r.GetValue(gate)}",
                    "Each token's colour is the unit's value after reading it (Karpathy, Johnson & Fei-Fei 2015): " +
                    (which == LstmActivation.Cell ? "tanh of the cell state" : which == LstmActivation.Hidden ? "the hidden state" : "the gate, 0 … 1 shown as −1 … +1") + "; hover for the value.",
                    sections, HeatScale.BlueRed, "value");
                terminal.Line($"Wrote {page}.");
            }
            terminal.Json(json);
            return 0;

            double[] Column(int j)
            {
                var column = new double[steps];
                for (var t = 0; t < steps; t++) column[t] = values[t * units + j];
                return column;
            }
        }));
        return command;
    }

    /// <summary>The colour value in [−1, 1]: tanh of a cell state, a hidden state or candidate as it is, a gate's (0, 1) stretched to (−1, 1).</summary>
    static double Shade(double value, LstmActivation which) => which switch
    {
        LstmActivation.Cell => Math.Tanh(value),
        LstmActivation.Hidden or LstmActivation.Candidate => value,
        _ => 2 * value - 1,
    };
}
