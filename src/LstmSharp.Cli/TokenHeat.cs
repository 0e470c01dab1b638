// TokenHeat: a text with a score per token shown as colour — Spectre markup for a terminal, "token(+0.123)" lines when
// the output is not one, and a self-contained HTML page (inline CSS, escaped text, a legend) — for `classify explain`
// (attributions, green for / red against) and `text explain` (activations, blue … red).
using System.Globalization;
using System.Net;
using System.Text;

namespace LstmSharp.Cli;

/// <summary>A token of a text, where it stands in it (null: unknown), its score and the colour value in [−1, 1] it is shown with.</summary>
internal sealed record TokenScore(string Token, Range? Range, double Score, double Shade);

/// <summary>One text of a page: a heading, a line about it and its scored tokens.</summary>
internal sealed record HeatSection(string Heading, string Summary, string Text, IReadOnlyList<TokenScore> Tokens);

/// <summary>The two colours a scale runs to from white: at shade −1 and at shade +1.</summary>
internal sealed record HeatScale((int R, int G, int B) Negative, (int R, int G, int B) Positive, string NegativeName, string PositiveName)
{
    /// <summary>Green for, red against (attributions).</summary>
    public static HeatScale ForAgainst { get; } = new((230, 80, 80), (70, 180, 90), "against", "for");

    /// <summary>Blue (−1) … red (+1) (activations).</summary>
    public static HeatScale BlueRed { get; } = new((70, 110, 230), (230, 70, 70), "−1", "+1");

    /// <summary>The background of <paramref name="shade"/> in [−1, 1]: white at 0, the scale's colours at the ends, as #rrggbb.</summary>
    public string Hex(double shade)
    {
        var t = Math.Clamp(Math.Abs(shade), 0, 1);
        var (r, g, b) = shade < 0 ? Negative : Positive;
        int Mix(int c) => (int)Math.Round(255 + (c - 255) * t);
        return string.Create(CultureInfo.InvariantCulture, $"#{Mix(r):x2}{Mix(g):x2}{Mix(b):x2}");
    }
}

internal static class TokenHeat
{
    /// <summary>The text cut into the pieces between tokens (token −1) and the tokens (their index); tokens without a place are joined with spaces.</summary>
    static IEnumerable<(string Piece, int Token)> Pieces(string text, IReadOnlyList<TokenScore> tokens)
    {
        if (tokens.Any(t => t.Range is null))
        {
            for (var i = 0; i < tokens.Count; i++)
            {
                if (i > 0) yield return (" ", -1);
                yield return (tokens[i].Token, i);
            }
            yield break;
        }
        var at = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var range = tokens[i].Range!.Value;
            var (start, end) = (range.Start.GetOffset(text.Length), range.End.GetOffset(text.Length));
            if (start > at) yield return (text[at..start], -1);
            yield return (text[start..end], i);
            at = end;
        }
        if (at < text.Length) yield return (text[at..], -1);
    }

    /// <summary>Spectre markup of the text with each token on its colour (black letters, so any shade stays readable).</summary>
    public static string Markup(string text, IReadOnlyList<TokenScore> tokens, HeatScale scale)
    {
        var markup = new StringBuilder();
        foreach (var (piece, token) in Pieces(text, tokens))
        {
            var escaped = Spectre.Console.Markup.Escape(piece.ReplaceLineEndings(" ⏎ "));
            markup.Append(token < 0 ? escaped : $"[black on {scale.Hex(tokens[token].Shade)}]{escaped}[/]");
        }
        return markup.ToString();
    }

    /// <summary>The tokens as written with their scores, for output that is not a terminal: <c>Great(+0.812) bad(-0.532)</c>.</summary>
    public static string Plain(string text, IReadOnlyList<TokenScore> tokens)
    {
        var shown = tokens.Select(t => t.Range is { } range ? text[range] : t.Token);
        return string.Join(" ", tokens.Zip(shown, (t, s) => $"{s.ReplaceLineEndings("⏎").Replace(" ", "␣", StringComparison.Ordinal)}({t.Score.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture)})"));
    }

    /// <summary>Writes a self-contained HTML page: inline CSS, a legend, each section's text with its tokens on their colours (score in the tooltip).</summary>
    public static void WriteHtml(string path, string title, string about, IReadOnlyList<HeatSection> sections, HeatScale scale, string legend)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>{{E(title)}}</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }
            .text { font-size: 1.15em; line-height: 2; white-space: pre-wrap; border: 1px solid #ddd; padding: 0.5em 0.8em; }
            .t { border-radius: 3px; padding: 1px 1px; color: #000; }
            .legend span { display: inline-block; padding: 2px 10px; margin-right: 3px; border: 1px solid #ddd; }
            .summary { color: #555; }
            </style>
            </head>
            <body>
            <h1>{{E(title)}}</h1>
            <p>{{E(about)}}</p>
            <p class="legend">{{E(legend)}}: 
            """);
        foreach (var shade in new[] { -1, -0.5, 0, 0.5, 1 })
        {
            var name = shade == -1 ? scale.NegativeName : shade == 1 ? scale.PositiveName : shade.ToString("+0.0;−0.0;0", CultureInfo.InvariantCulture);
            html.Append($"<span style=\"background:{scale.Hex(shade)}\">{E(name)}</span>");
        }
        html.Append("</p>\n");
        foreach (var section in sections)
        {
            html.Append($"<section>\n<h2>{E(section.Heading)}</h2>\n<p class=\"summary\">{E(section.Summary)}</p>\n<div class=\"text\">");
            foreach (var (piece, token) in Pieces(section.Text, section.Tokens))
            {
                if (token < 0)
                {
                    html.Append(E(piece));
                    continue;
                }
                var t = section.Tokens[token];
                var tip = $"{t.Token}: {t.Score.ToString("+0.0000;-0.0000;0", CultureInfo.InvariantCulture)}";
                html.Append($"<span class=\"t\" style=\"background:{scale.Hex(t.Shade)}\" title=\"{E(tip)}\">{E(piece)}</span>");
            }
            html.Append("</div>\n</section>\n");
        }
        html.Append("</body>\n</html>\n");
        File.WriteAllText(path, html.ToString());
    }
}
