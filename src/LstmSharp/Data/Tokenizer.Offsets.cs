// Tokenizer.Offsets: where each token of a text stands in it, so that a per-token score (an attribution, an
// activation) can be shown on the text as written, with its case and punctuation.
namespace LstmSharp.Data;

public sealed partial class Tokenizer
{
    /// <summary>
    /// The place in <paramref name="text"/> (in UTF-16 characters) of each token of <see cref="Split(string)"/>, in order:
    /// <c>text[ranges[i]]</c> is token i as written (before lower-casing; a word with <c>’</c> where the token has
    /// <c>'</c>; a subword piece without its ▁ marker). Null when a token cannot be found, which the built-in levels
    /// never cause unless lower-casing changes a text's length.
    /// </summary>
    public Range[]? Offsets(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = Tokens(text);
        // Tokens are cut from the text after lower-casing, and words read ’ as ': search in the text as the splitter saw it.
        var seen = Lowercase ? text.ToLowerInvariant() : text;
        if (seen.Length != text.Length) return null;
        if (Level is not (TokenLevel.Character or TokenLevel.Whitespace)) seen = seen.Replace('\u2019', '\'');
        var ranges = new Range[tokens.Count];
        var at = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = Level == TokenLevel.Subword && tokens[i].StartsWith(BytePairEncoding.WordStart, StringComparison.Ordinal)
                ? tokens[i][BytePairEncoding.WordStart.Length..]
                : tokens[i];
            var start = token.Length == 0 ? -1 : seen.IndexOf(token, at, StringComparison.Ordinal);
            if (start < 0) return null;
            ranges[i] = start..(start + token.Length);
            at = start + token.Length;
        }
        return ranges;
    }
}
