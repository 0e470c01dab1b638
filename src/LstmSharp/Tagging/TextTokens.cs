// TextTokens: raw text → tokens with their character offsets, for tagging text that is not tokenised yet: by whitespace,
// or by simple rules close to the Brown corpus's and the Penn Treebank's (punctuation split off, contractions, hyphenated
// words, numbers and abbreviations kept whole).
using System.Text;

namespace LstmSharp.Tagging;

/// <summary>A token of a text and where it starts (in UTF-16 code units); it ends at <c>Start + Text.Length</c>.</summary>
public readonly record struct TextToken(string Text, int Start);

/// <summary>Splits raw text into tokens with their offsets.</summary>
public static class TextTokens
{
    /// <summary>Titles that keep their period (<c>Mr.</c>), matched as spelled.</summary>
    static readonly HashSet<string> Titles = new(StringComparer.Ordinal)
    {
        "Mr", "Mrs", "Ms", "Messrs", "Dr", "St", "Jr", "Sr", "Prof", "Rev", "Gen", "Col", "Lt", "Sgt", "Capt", "Gov", "Sen", "Rep", "Mt", "Ft",
        "Inc", "Ltd", "Corp", "Bros", "vs", "etc",
    };

    /// <summary>The runs of non-whitespace characters, verbatim.</summary>
    public static IReadOnlyList<TextToken> Whitespace(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<TextToken>();
        for (var i = 0; i < text.Length;)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            if (i > start) tokens.Add(new TextToken(text[start..i], start));
        }
        return tokens;
    }

    /// <summary>
    /// Simple rules: whitespace separates; a word is a run of letters, marks and digits, joined across an apostrophe,
    /// hyphen, period or comma that has a letter or digit on both sides (<c>isn't</c>, <c>well-known</c>, <c>3.5</c>,
    /// <c>1,000</c>); a word keeps a final period when it is an abbreviation of one- or two-letter pieces (<c>U.S.</c>,
    /// <c>e.g.</c>, <c>Ph.D.</c>), a title (<c>Mr.</c>, <c>Dr.</c>, <c>St.</c>) or an initial (<c>F.</c> before more text),
    /// and the period does not start <c>...</c>; every other character is a token of its own, a run of one repeated mark
    /// one token (<c>...</c>, <c>--</c>).
    /// </summary>
    public static IReadOnlyList<TextToken> Rules(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<TextToken>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            var start = i;
            if (IsWordAt(text, i))
            {
                i += RuneLength(text, i);
                while (i < text.Length)
                {
                    if (IsWordAt(text, i)) i += RuneLength(text, i);
                    else if (text[i] is '\'' or '\u2019' or '-' or '.' or ',' && i + 1 < text.Length && IsWordAt(text, i + 1)) i++;
                    else break;
                }
                if (i < text.Length && text[i] == '.' && !(i + 1 < text.Length && text[i + 1] == '.') && KeepsPeriod(text[start..i], more: i + 1 < text.Length && text[(i + 1)..].Trim().Length > 0)) i++;
            }
            else
            {
                var length = RuneLength(text, i);
                var mark = text.Substring(i, length);
                i += length;
                while (i + length <= text.Length && string.CompareOrdinal(text, i, mark, 0, length) == 0) i += length;
            }
            tokens.Add(new TextToken(text[start..i], start));
        }
        return tokens;
    }

    /// <summary>Whether <paramref name="word"/> takes the period after it: a title, an initial with <paramref name="more"/> text after it, or pieces of one or two letters.</summary>
    static bool KeepsPeriod(string word, bool more)
    {
        if (Titles.Contains(word)) return true;
        if (word.Length == 1) return more && char.IsUpper(word[0]);
        var pieces = word.Split('.');
        return pieces.Length > 1 && pieces.All(p => p.Length is 1 or 2 && p.All(char.IsLetter));
    }

    static int RuneLength(string text, int i) => char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;

    static bool IsWordAt(string text, int i) =>
        Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out _) == System.Buffers.OperationStatus.Done && Data.Tokenizer.IsWordRune(rune);
}
