// WordVectors: pre-trained word embeddings in the GloVe / word2vec text format ("word v1 v2 …" per line, an optional
// word2vec "count dimension" header), read with every row checked, optionally only the words a vocabulary needs.
using System.Globalization;

namespace LstmSharp.Data;

/// <summary>Word vectors read from a text file (<see cref="Read(string, Func{string, bool}?)"/>): one vector of <see cref="Dimension"/> values per word.</summary>
public sealed class WordVectors
{
    readonly Dictionary<string, float[]> _vectors;

    WordVectors(Dictionary<string, float[]> vectors, int dimension, string source)
    {
        _vectors = vectors;
        Dimension = dimension;
        Source = source;
    }

    /// <summary>The values per word.</summary>
    public int Dimension { get; }

    /// <summary>The file the vectors came from.</summary>
    public string Source { get; }

    /// <summary>How many words have a vector.</summary>
    public int Count => _vectors.Count;

    /// <summary>The vector of <paramref name="word"/>, if the file has one (exact spelling).</summary>
    public bool TryGet(string word, out ReadOnlySpan<float> vector)
    {
        var found = _vectors.TryGetValue(word, out var values);
        vector = values;
        return found;
    }

    /// <summary>
    /// Reads <paramref name="path"/>: UTF-8 lines of a word and its values separated by spaces; a first line of two whole
    /// numbers (word2vec's count and dimension) is skipped; every vector must have the first one's length. Only words for
    /// which <paramref name="keep"/> is true are kept (all without it); a later line for a word already read is ignored.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is empty, a row has the wrong number of values, or a value is not a finite number (file and line named).</exception>
    public static WordVectors Read(string path, Func<string, bool>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path, keep);
    }

    /// <summary>As <see cref="Read(string, Func{string, bool}?)"/> from a reader; <paramref name="source"/> names it in errors.</summary>
    public static WordVectors Read(TextReader reader, string source, Func<string, bool>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var dimension = 0;
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            if (number == 1 && fields.Length == 2 && int.TryParse(fields[0], out _) && int.TryParse(fields[1], out _)) continue;   // word2vec header
            if (fields.Length < 2) throw new InvalidDataException($"{source}:{number}: a line needs a word and its values; found '{Excerpt(line)}'.");
            if (dimension == 0) dimension = fields.Length - 1;
            if (fields.Length - 1 != dimension)
                throw new InvalidDataException($"{source}:{number}: the word '{Excerpt(fields[0])}' has {fields.Length - 1} values; the vectors before it have {dimension}.");
            if (vectors.ContainsKey(fields[0]) || (keep is not null && !keep(fields[0]))) continue;
            var values = new float[dimension];
            for (var i = 0; i < dimension; i++)
            {
                if (!float.TryParse(fields[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                    throw new InvalidDataException($"{source}:{number}: value {i + 1} of the word '{Excerpt(fields[0])}' is '{Excerpt(fields[i + 1])}', not a finite number.");
            }
            vectors[fields[0]] = values;
        }
        if (dimension == 0) throw new InvalidDataException($"{source}: there are no word vectors in it.");
        return new WordVectors(vectors, dimension, source);
    }

    static string Excerpt(string text) => text.Length > 60 ? text[..57] + "…" : text;
}
