// Conll: reads and writes CoNLL-style tagged text, one token per line and a blank line between sentences.
using System.Text;

namespace LstmSharp.Tagging;

/// <summary>
/// CoNLL-style files: one token per line, its columns split on tabs or runs of spaces (any mix, so a token cannot
/// hold a space), a blank line (or one of only spaces and tabs) between sentences. Several blank lines are one break
/// and the last sentence need not be followed by one. Lines that start with <c>#</c> are comments and are skipped;
/// a line whose first column is <c>-DOCSTART-</c> is skipped and ends the current sentence. Every token line must
/// have as many columns as the first one, which catches a token with a space in a tab-separated file.
/// </summary>
public static class Conll
{
    static readonly char[] Separators = [' ', '\t'];
    const string DocStart = "-DOCSTART-";

    /// <summary>Reads the UTF-8 (a byte-order mark is allowed) file at <paramref name="path"/>; error messages and <see cref="TaggedSentence.Source"/> give the path as passed.</summary>
    /// <inheritdoc cref="Read(TextReader, string, int, int)"/>
    public static IReadOnlyList<TaggedSentence> Read(string path, int tokenColumn = 0, int tagColumn = -1)
    {
        CheckColumns(tokenColumn, tagColumn);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path, tokenColumn, tagColumn);
    }

    /// <summary>
    /// Reads tagged sentences from <paramref name="reader"/>, taking each token from column
    /// <paramref name="tokenColumn"/> and its tag from column <paramref name="tagColumn"/> (both counted from 0;
    /// <paramref name="tagColumn"/> −1 is the last column). Line endings may be <c>\n</c> or <c>\r\n</c>.
    /// </summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="source">What to call the text in messages and in <see cref="TaggedSentence.Source"/>: a file name, or <c>&lt;stdin&gt;</c>.</param>
    /// <param name="tokenColumn">The column of the tokens, from 0.</param>
    /// <param name="tagColumn">The column of the tags, from 0, or −1 for the last column (which must then come after <paramref name="tokenColumn"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokenColumn"/> is negative, <paramref name="tagColumn"/> is below −1, or the two are equal.</exception>
    /// <exception cref="InvalidDataException">
    /// A line lacks the token or tag column, or has another number of columns than the first token line (the message
    /// starts with <c>source:line:</c> and says what was expected and found), or there is no sentence at all (the
    /// message names <paramref name="source"/>).
    /// </exception>
    public static IReadOnlyList<TaggedSentence> Read(TextReader reader, string source, int tokenColumn = 0, int tagColumn = -1)
    {
        CheckColumns(tokenColumn, tagColumn);
        var sentences = new List<TaggedSentence>();
        List<string> tokens = [], tags = [];
        List<int> lines = [];
        var (columnCount, columnCountLine) = (0, 0);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1 && line.StartsWith('\uFEFF')) line = line[1..];
            if (line.StartsWith('#')) continue;
            var columns = line.Split(Separators, StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length == 0 || columns[0] == DocStart)
            {
                EndSentence();
                continue;
            }
            var tagIndex = tagColumn >= 0 ? tagColumn : columns.Length - 1;
            var needed = tagColumn >= 0 ? Math.Max(tokenColumn, tagColumn) + 1 : tokenColumn + 2;
            if (columns.Length < needed)
                throw new InvalidDataException($"{source}:{lineNumber}: the line '{Excerpt(line)}' has {Columns(columns.Length)}; the token is read from column {tokenColumn} ({Ordinal(tokenColumn)}) and the tag from {TagColumn(tagColumn)}, so at least {needed} are needed. Check the file, or give tokenColumn and tagColumn (counted from 0; tagColumn -1 is the last column).");
            if (columnCount == 0) (columnCount, columnCountLine) = (columns.Length, lineNumber);
            else if (columns.Length != columnCount)
                throw new InvalidDataException($"{source}:{lineNumber}: the line '{Excerpt(line)}' has {Columns(columns.Length)}, but the token lines before it have {columnCount} (the first is line {columnCountLine}). Columns are split on tabs and runs of spaces, so a token cannot contain a space.");
            tokens.Add(columns[tokenColumn]);
            tags.Add(columns[tagIndex]);
            lines.Add(lineNumber);
        }
        EndSentence();
        if (sentences.Count == 0)
            throw new InvalidDataException($"{source}: no sentences: the input is empty or has only blank lines, comments (#) and {DocStart} lines.");
        return sentences;

        void EndSentence()
        {
            if (tokens.Count == 0) return;
            sentences.Add(new TaggedSentence(tokens, tags, source, lines));
            (tokens, tags, lines) = ([], [], []);
        }
    }

    /// <summary>
    /// Writes each sentence as <c>token\ttag</c> lines and a blank line after it (the last included), with <c>\n</c>
    /// line endings whatever <see cref="TextWriter.NewLine"/> is, so that <see cref="Read(TextReader, string, int, int)"/>
    /// reads the same tokens and tags back.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A sentence has no tokens, or not one tag per token, or a token or tag that would not read back: empty, with a
    /// space, tab or line break, or a token that starts with <c>#</c> or is <c>-DOCSTART-</c> (the message names the
    /// sentence and token, counted from 0). The sentences before it have been written; nothing of it has.
    /// </exception>
    public static void Write(TextWriter writer, IEnumerable<TaggedSentence> sentences)
    {
        var s = 0;
        foreach (var sentence in sentences)
        {
            if (sentence.Tokens.Count == 0 || sentence.Tags.Count != sentence.Tokens.Count)
                throw new ArgumentException($"Sentence {s} has {sentence.Tokens.Count} tokens and {sentence.Tags.Count} tags; expected at least one token and one tag per token.", nameof(sentences));
            for (var i = 0; i < sentence.Tokens.Count; i++)
            {
                var (token, tag) = (sentence.Tokens[i], sentence.Tags[i]);
                if (!Writable(token) || token[0] == '#' || token == DocStart || !Writable(tag))
                    throw new ArgumentException($"Sentence {s}, token {i}: token '{token}' with tag '{tag}' cannot be written as CoNLL: a token or tag must not be empty or contain a space, tab or line break, and a token must not start with '#' or be {DocStart}.", nameof(sentences));
            }
            for (var i = 0; i < sentence.Tokens.Count; i++)
            {
                writer.Write(sentence.Tokens[i]);
                writer.Write('\t');
                writer.Write(sentence.Tags[i]);
                writer.Write('\n');
            }
            writer.Write('\n');
            s++;
        }
    }

    static bool Writable(string text) => text.Length > 0 && text.AsSpan().IndexOfAny(" \t\r\n") < 0;

    static void CheckColumns(int tokenColumn, int tagColumn)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokenColumn);
        if (tagColumn < -1)
            throw new ArgumentOutOfRangeException(nameof(tagColumn), tagColumn, $"'tagColumn' must be -1 (the last column) or a column from 0; received {tagColumn}.");
        if (tagColumn == tokenColumn)
            throw new ArgumentOutOfRangeException(nameof(tagColumn), tagColumn, $"'tagColumn' must differ from 'tokenColumn'; both are {tagColumn}.");
    }

    static string TagColumn(int tagColumn) =>
        tagColumn >= 0 ? $"column {tagColumn} ({Ordinal(tagColumn)})" : "the last column (tagColumn -1), after the token";

    static string Columns(int n) => n == 1 ? "1 column" : $"{n} columns";

    /// <summary>"the first" for column 0: says which column a 0-based index means.</summary>
    static string Ordinal(int index)
    {
        string[] words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];
        if (index < words.Length) return "the " + words[index];
        var n = index + 1;
        var suffix = (n % 100) is >= 11 and <= 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
        return $"the {n}{suffix}";
    }

    static string Excerpt(string line)
    {
        var shown = line.Replace("\t", "\\t", StringComparison.Ordinal);
        return shown.Length <= 60 ? shown : string.Concat(shown.AsSpan(0, 57), "...");
    }
}
