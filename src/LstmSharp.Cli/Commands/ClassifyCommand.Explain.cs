// `lstm classify explain`: why a saved classifier labels a text as it does — integrated gradients of the class's logit
// per token (TextClassifier.Explain), the tokens coloured green (for) and red (against) in a terminal, with numbers
// elsewhere, the completeness gap, and optionally an HTML page.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LstmSharp.Text;
using static LstmSharp.Cli.CommonOptions;

namespace LstmSharp.Cli.Commands;

internal static partial class ClassifyCommand
{
    static Command Explain(CliHost host)
    {
        var input = new Argument<string[]>("text") { Description = "Text(s) to explain (default: --file, else one text per line of standard input).", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string>("--model", "-m") { Description = "Model file written by `lstm classify train`.", DefaultValueFactory = _ => "classify.safetensors" };
        var file = Opt("--file", "Explain every row of a CSV file (its text columns) or every line of a .txt file instead (default: none).", "");
        var text = TextColumns();
        var label = Opt("--class", "Class to explain (default: each text's predicted class).", "");
        var steps = Opt("--steps", "Trapezoid steps of the integrated-gradients path (more: a smaller completeness gap).", 50);
        var html = Opt("--html", "Write an HTML page with the tokens coloured by attribution (default: none).", "");
        var command = new Command("explain", "Attribute a classifier's decision to the tokens of each text (integrated gradients), coloured for and against the class.")
        {
            input, model, file, text, label, steps, html,
        };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var modelPath = r.GetValue(model)!;
            var classifier = TextClassifier.Load(modelPath);
            var n = r.GetValue(steps);
            if (n is < 1 or > Model.MaxIntegrationSteps) throw new CliException($"--steps must be in [1, {Model.MaxIntegrationSteps}]; received {n}.");
            int? classId = null;
            if (r.GetValue(label) is { Length: > 0 } asked)
            {
                var id = ((IList<string>)classifier.Classes).IndexOf(asked);
                classId = id >= 0 ? id : throw new CliException($"--class {CliFiles.Quote(asked)}: the classifier has no such class; it knows {CliFiles.List(classifier.Classes)}.");
            }
            var page = r.GetValue(html)!;
            var path = r.GetValue(file)!;
            if (page.Length > 0) CliFiles.CheckOutput(page, "--html", modelPath, path);
            var texts = ReadTexts(r, classifier, path, text, input);
            if (texts.Length == 0 && path.Length == 0) texts = [.. StandardInputLines(host.In)];
            if (texts.Length == 0) throw new CliException("Give a text to explain, --file with texts, or texts on standard input.");
            terminal.Settings("classify explain", [
                ("model", CliFiles.Show(modelPath)), ("input", path.Length > 0 ? $"{path} ({texts.Length} texts)" : $"{texts.Length} text(s)"),
                ("class", classId is { } c ? classifier.Classes[c] : "the predicted one"),
                ("method", $"integrated gradients of the class's logit, zero-embedding baseline, {n} trapezoid steps"), ("html", page.Length == 0 ? "none" : CliFiles.Show(page)),
            ]);

            var results = new JsonArray();
            var sections = new List<HeatSection>();
            for (var i = 0; i < texts.Length; i++)
            {
                TextExplanation explanation;
                try
                {
                    explanation = classifier.Explain(texts[i], classId, n);
                }
                catch (ArgumentException e)
                {
                    throw new CliException($"text {i + 1}: {CliErrors.Message(e)}");
                }
                var tokens = Scores(explanation);
                var (predicted, explained, a) = (explanation.PredictedClassId, explanation.ClassId, explanation.Attribution);
                var invariant = CultureInfo.InvariantCulture;
                var heading = string.Create(invariant, $"text {i + 1}: {classifier.Classes[predicted]} ({explanation.Probabilities[predicted]:P1})") +
                    (explained == predicted ? "" : string.Create(invariant, $"; explaining {explanation.Class} ({explanation.Probabilities[explained]:P1})"));
                var summary = string.Create(invariant, $"Σ attributions {a.Sum:+0.0000;-0.0000;0} = logit(text) − logit(baseline) {a.Output - a.BaselineOutput:+0.0000;-0.0000;0} ") +
                    string.Create(invariant, $"+ completeness gap {a.CompletenessGap:+0.00E+0;-0.00E+0;0} ({a.Steps} steps)") +
                    (explanation.TokensCut > 0 ? $"; {explanation.TokensCut} token(s) after the first {classifier.MaxLength} not read" : "");
                terminal.ResultLine(heading);
                if (terminal.Colours) terminal.ResultMarkup(TokenHeat.Markup(explanation.Text, tokens, HeatScale.ForAgainst));
                else terminal.ResultLine(TokenHeat.Plain(explanation.Text, tokens));
                terminal.ResultLine(summary);
                sections.Add(new HeatSection(heading, summary, explanation.Text, tokens));
                results.Add((JsonNode)Json(explanation, classifier));
            }
            if (page.Length > 0)
            {
                TokenHeat.WriteHtml(page, $"Why {Path.GetFileName(modelPath)} classifies these texts as it does",
                    $"Integrated gradients (Sundararajan et al. 2017) of the class's logit with respect to each token's embedding, from zero embeddings, {n} trapezoid steps. " +
                    "Each token's colour is its attribution relative to the text's largest; hover for the value.", sections, HeatScale.ForAgainst, "attribution");
                terminal.Line($"Wrote {page}.");
            }
            terminal.Json(new JsonObject { ["command"] = "classify explain", ["model"] = modelPath, ["steps"] = n, ["explanations"] = results });
            return 0;
        }));
        return command;
    }

    /// <summary>Each token with its attribution, shaded relative to the largest attribution of the text.</summary>
    static TokenScore[] Scores(TextExplanation explanation)
    {
        var largest = explanation.Tokens.Max(t => Math.Abs(t.Attribution));
        return [.. explanation.Tokens.Select(t => new TokenScore(t.Token, t.Range, t.Attribution, largest > 0 ? t.Attribution / largest : 0))];
    }

    static JsonObject Json(TextExplanation explanation, TextClassifier classifier)
    {
        var a = explanation.Attribution;
        return new JsonObject
        {
            ["text"] = explanation.Text, ["class"] = explanation.Class, ["predicted"] = classifier.Classes[explanation.PredictedClassId],
            ["probabilities"] = new JsonObject([.. classifier.Classes.Select((c, k) => KeyValuePair.Create(c, (JsonNode?)explanation.Probabilities[k]))]),
            ["logit"] = a.Output, ["baseline_logit"] = a.BaselineOutput, ["attribution_sum"] = a.Sum, ["completeness_gap"] = a.CompletenessGap,
            ["tokens_cut"] = explanation.TokensCut,
            ["tokens"] = new JsonArray([.. explanation.Tokens.Select(t => (JsonNode?)new JsonObject
            {
                ["token"] = t.Token, ["start"] = t.Range?.Start.Value, ["end"] = t.Range?.End.Value, ["attribution"] = t.Attribution,
            })]),
        };
    }

    static IEnumerable<string> StandardInputLines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) yield return line;
    }
}
