// NotebookFormatters: how LstmSharp's objects show in a Polyglot / .NET Interactive notebook — a model as Keras's
// summary table (HTML), a tensor with its shape and values, a History as an inline SVG chart of its loss curves — and
// as text where HTML is not wanted. The package's extension.dib calls Register when a notebook loads it.
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace LstmSharp.Interactive;

/// <summary>Registers the notebook views of <see cref="Model"/>, <see cref="Tensor"/> and <see cref="History"/>.</summary>
/// <remarks>
/// <c>#r "nuget: LstmSharp.Interactive"</c> runs the package's <c>interactive-extensions/dotnet/extension.dib</c>, which
/// calls <see cref="Register"/>; outside a notebook call it yourself before <c>ToDisplayString("text/html")</c>.
/// </remarks>
public static class NotebookFormatters
{
    const string Html = "text/html";
    const string PlainText = "text/plain";

    /// <summary>Registers every formatter (again, harmlessly, when called twice: later registrations win).</summary>
    public static void Register()
    {
        Formatter.Register<Model>((model, writer) => writer.Write(SummaryHtml(model.GetSummary())), Html);
        Formatter.Register<Model>((model, writer) => writer.Write(model.Summary()), PlainText);
        Formatter.Register<Tensor>((tensor, writer) => writer.Write(TensorHtml(tensor)), Html);
        Formatter.Register<Tensor>((tensor, writer) => writer.Write(tensor.ToString()), PlainText);
        Formatter.Register<History>((history, writer) => writer.Write(HistoryChart.Svg(history)), Html);
        Formatter.Register<History>((history, writer) => writer.Write(HistoryChart.Text(history)), PlainText);
    }

    /// <summary>Keras's summary as an HTML table: the name as a caption, a row per input and call, the counts under it.</summary>
    public static string SummaryHtml(ModelSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var html = new StringBuilder("<div class=\"lstmsharp-summary\"><table>");
        html.Append(CultureInfo.InvariantCulture, $"<caption>Model: \"{Encode(summary.Name)}\"</caption><thead><tr>");
        foreach (var title in summary.Header) html.Append(CultureInfo.InvariantCulture, $"<th>{Encode(title)}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in summary.Rows)
        {
            html.Append("<tr>");
            for (var c = 0; c < row.Count; c++)
                html.Append(c == 2 ? "<td style=\"text-align:right\">" : "<td>").Append(Encode(row[c])).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        foreach (var line in summary.CountLines) html.Append(CultureInfo.InvariantCulture, $"<div>{Encode(line)}</div>");
        if (summary.BiasNote is { } note) html.Append(CultureInfo.InvariantCulture, $"<div><small>{Encode(note)}</small></div>");
        return html.Append("</div>").ToString();
    }

    /// <summary>A tensor's shape in bold and its values as numpy prints them (elided past 1,000), in a <c>pre</c>.</summary>
    public static string TensorHtml(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var text = tensor.ToString();
        var lineBreak = text.IndexOf('\n', StringComparison.Ordinal);
        return $"<div class=\"lstmsharp-tensor\"><b>{Encode(text[..lineBreak])}</b><pre>{Encode(text[(lineBreak + 1)..])}</pre></div>";
    }

    internal static string Encode(string text) => WebUtility.HtmlEncode(text);
}
