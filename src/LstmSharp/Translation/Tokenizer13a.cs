// Tokenizer13a: mteval-v13a's tokenization as sacreBLEU's default tokenizer (tokenizer_13a) applies it.
using System.Text;
using System.Text.RegularExpressions;

namespace LstmSharp.Translation;

/// <summary>
/// The "13a" tokenizer of WMT's mteval-v13a.pl, as sacreBLEU implements it (<c>Tokenizer13a</c> +
/// <c>TokenizerRegexp</c>). Language-independent part: remove <c>&lt;skipped&gt;</c>, join "-\n", turn "\n" into a
/// space, unescape <c>&amp;quot; &amp;amp; &amp;lt; &amp;gt;</c> (in that order), pad with one space. Then four regex
/// rules, each over the whole line, left to right: (1) space around <c>{|}~ [\]^_` space!"#$%&amp; ()*+ :;&lt;=&gt;?@ /</c>;
/// (2) split '.' and ',' unless preceded by a digit; (3) split them unless followed by a digit; (4) split '-' after a
/// digit. Finally split on whitespace (Python's <c>str.split()</c>: Unicode whitespace and U+001C–U+001F).
/// </summary>
public static partial class Tokenizer13a
{
    [GeneratedRegex(@"([{-~\[-` -&(-+:-@/])", RegexOptions.CultureInvariant)]
    private static partial Regex Symbols();

    [GeneratedRegex(@"([^0-9])([.,])", RegexOptions.CultureInvariant)]
    private static partial Regex PeriodCommaAfterNonDigit();

    [GeneratedRegex(@"([.,])([^0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex PeriodCommaBeforeNonDigit();

    [GeneratedRegex(@"([0-9])(-)", RegexOptions.CultureInvariant)]
    private static partial Regex DashAfterDigit();

    /// <summary>The tokens of <paramref name="line"/>.</summary>
    public static string[] Tokenize(string line)
    {
        line = line.Replace("<skipped>", "", StringComparison.Ordinal)
            .Replace("-\n", "", StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal);
        if (line.Contains('&', StringComparison.Ordinal))
        {
            line = line.Replace("&quot;", "\"", StringComparison.Ordinal)
                .Replace("&amp;", "&", StringComparison.Ordinal)
                .Replace("&lt;", "<", StringComparison.Ordinal)
                .Replace("&gt;", ">", StringComparison.Ordinal);
        }
        line = " " + line + " ";
        line = Symbols().Replace(line, " $1 ");
        line = PeriodCommaAfterNonDigit().Replace(line, "$1 $2 ");
        line = PeriodCommaBeforeNonDigit().Replace(line, " $1 $2");
        line = DashAfterDigit().Replace(line, "$1 $2 ");
        return SplitOnWhiteSpace(line);
    }

    /// <summary>The tokens of <paramref name="line"/> joined by single spaces (what sacreBLEU's tokenizer returns).</summary>
    public static string TokenizeToString(string line) => string.Join(' ', Tokenize(line));

    /// <summary>Python's <c>str.isspace</c> for one code point: .NET's white space plus U+001C–U+001F.</summary>
    internal static bool IsPythonWhiteSpace(Rune rune) => Rune.IsWhiteSpace(rune) || (rune.Value >= 0x1C && rune.Value <= 0x1F);

    /// <summary>Python's <c>str.split()</c> with no argument: runs of white space separate, none at either end.</summary>
    internal static string[] SplitOnWhiteSpace(string text)
    {
        var tokens = new List<string>();
        var start = -1;
        var i = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsPythonWhiteSpace(rune))
            {
                if (start >= 0) tokens.Add(text[start..i]);
                start = -1;
            }
            else if (start < 0) start = i;
            i += rune.Utf16SequenceLength;
        }
        if (start >= 0) tokens.Add(text[start..]);
        return [.. tokens];
    }
}
