// Quoting: text from a user's file as an error message may show it — short, printable, its length said when cut.
using System.Text;

namespace LstmSharp.Internals;

internal static class Quoting
{
    /// <summary>Characters of a field, row or name from a file quoted in a message; the rest is elided.</summary>
    public const int QuoteLength = 60;

    /// <summary>
    /// <paramref name="text"/> at most <paramref name="length"/> (60) characters, control characters and undecodable
    /// bytes shown as '?', and the length when it is cut.
    /// </summary>
    public static string Quote(string text, int length = QuoteLength)
    {
        var shown = new StringBuilder(Math.Min(text.Length, length));
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, length)))
            shown.Append(char.IsControl(c) || c == '\uFFFD' ? '?' : c);
        return text.Length <= length ? shown.ToString() : $"{shown}… ({text.Length:N0} characters)";
    }

    /// <summary>The first 20 names of a list (each quoted), and how many more there are.</summary>
    public static string List(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(20).Select(n => Quote(n))) + (names.Count > 20 ? $" and {names.Count - 20} more" : "");
}
