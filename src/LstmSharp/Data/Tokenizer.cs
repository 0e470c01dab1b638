// Tokenizer: a word- or character-level vocabulary fitted on texts (as Keras' TextVectorization), encoding text as
// ids (0 = padding, 1 = unknown) for an Embedding layer, and stored as JSON in a model's metadata.
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace LstmSharp.Data;

/// <summary>
/// Turns text into token ids and back. Id 0 is padding (<see cref="Layers.Embedding"/> masks it), id 1 the
/// out-of-vocabulary token <c>[UNK]</c>, and ids 2… the fitted tokens by descending frequency, ties in ordinal order —
/// the same layout as Keras' <c>TextVectorization.get_vocabulary()</c>.
/// </summary>
public sealed partial class Tokenizer
{
    /// <summary>The id of padding.</summary>
    public const int PaddingId = 0;

    /// <summary>The id of every token not in the vocabulary.</summary>
    public const int UnknownId = 1;

    /// <summary>The vocabulary entry of <see cref="UnknownId"/>.</summary>
    public const string UnknownToken = "[UNK]";

    /// <summary>The largest vocabulary: ids are stored as float32, which holds whole numbers exactly up to 2²⁴.</summary>
    public const int MaxVocabularySize = 1 << 24;

    const int JsonVersion = 1;
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    readonly string[] _vocabulary;
    readonly Dictionary<string, int> _ids;
    readonly BytePairEncoding? _subwords;   // the learned merges, at subword level

    Tokenizer(TokenLevel level, bool lowercase, string[] vocabulary, BytePairEncoding? subwords = null)
    {
        Level = level;
        Lowercase = lowercase;
        _vocabulary = vocabulary;
        _subwords = subwords;
        _ids = new Dictionary<string, int>(vocabulary.Length, StringComparer.Ordinal);
        for (var id = 2; id < vocabulary.Length; id++) _ids.Add(vocabulary[id], id);
    }

    /// <summary>Whether tokens are words or characters.</summary>
    public TokenLevel Level { get; }

    /// <summary>Whether text is lower-cased (invariant culture) before splitting.</summary>
    public bool Lowercase { get; }

    /// <summary>The number of ids, padding and <c>[UNK]</c> included — the vocabulary size an Embedding needs.</summary>
    public int VocabularySize => _vocabulary.Length;

    /// <summary>The token of each id: <c>""</c> (padding), <c>[UNK]</c>, then the fitted tokens.</summary>
    public IReadOnlyList<string> Vocabulary => Array.AsReadOnly(_vocabulary);

    /// <summary>
    /// Builds the vocabulary of <paramref name="texts"/>: the tokens occurring at least <paramref name="minCount"/>
    /// times, most frequent first (ties in ordinal order, so the result is deterministic), cut so that
    /// <see cref="VocabularySize"/> — padding and <c>[UNK]</c> included, as Keras' <c>max_tokens</c> — is at most
    /// <paramref name="maxTokens"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A text is null, or no token occurs <paramref name="minCount"/> times.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="maxTokens"/> is outside [3, <see cref="MaxVocabularySize"/>] or <paramref name="minCount"/> is below 1.
    /// </exception>
    public static Tokenizer Fit(IEnumerable<string> texts, TokenLevel level, int maxTokens = 20000, bool lowercase = true, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(texts);
        CheckLevel(level);
        if (maxTokens < 3 || maxTokens > MaxVocabularySize)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"'maxTokens' counts padding and [UNK], so it must be in [3, {MaxVocabularySize}]; received {maxTokens}.");
        if (minCount < 1) throw new ArgumentOutOfRangeException(nameof(minCount), minCount, $"'minCount' must be at least 1; received {minCount}.");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var textCount = 0;
        var splitLevel = level == TokenLevel.Subword ? TokenLevel.Punctuated : level;
        foreach (var text in texts)
        {
            if (text is null) throw new ArgumentException($"Text {textCount} is null.", nameof(texts));
            foreach (var token in Split(text, splitLevel, lowercase)) counts[token] = counts.GetValueOrDefault(token) + 1;
            textCount++;
        }
        if (level == TokenLevel.Subword && counts.Count > 0) return FitSubwords(counts, maxTokens, lowercase, minCount);
        if (counts.Count == 0)
            throw new ArgumentException($"Found no {(level == TokenLevel.Word ? "words" : "characters")} in {textCount} text(s); there is nothing to build a vocabulary from.", nameof(texts));
        var kept = counts.Where(p => p.Value >= minCount).ToList();
        if (kept.Count == 0)
        {
            throw new ArgumentException(
                $"No token occurs at least {minCount} times (the most frequent occurs {counts.Values.Max()} times); lower 'minCount'.", nameof(minCount));
        }
        kept.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        string[] vocabulary = ["", UnknownToken, .. kept.Take(maxTokens - 2).Select(p => p.Key)];
        return new Tokenizer(level, lowercase, vocabulary);
    }

    /// <summary>
    /// Subword level: the characters of the words (with their counts) as symbols, the most frequent first, then as many
    /// learned merges as the vocabulary has room for (pairs occurring at least max(2, <paramref name="minCount"/>) times).
    /// </summary>
    static Tokenizer FitSubwords(Dictionary<string, int> words, int maxTokens, bool lowercase, int minCount)
    {
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (word, count) in words)
            foreach (var symbol in BytePairEncoding.Symbols(word)) symbols[symbol] = symbols.GetValueOrDefault(symbol) + count;
        var initial = symbols.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).Take(maxTokens - 2).ToList();
        var merges = BytePairEncoding.Learn(words.ToDictionary(w => w.Key, w => (long)w.Value, StringComparer.Ordinal), maxTokens - 2 - initial.Count, Math.Max(2, minCount));
        var vocabulary = new List<string> { "", UnknownToken };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in initial.Concat(merges.Select(m => m.Left + m.Right)))
            if (token != UnknownToken && seen.Add(token)) vocabulary.Add(token);
        return new Tokenizer(TokenLevel.Subword, lowercase, [.. vocabulary], new BytePairEncoding(merges));
    }

    /// <summary>
    /// The tokens of <paramref name="text"/>, lower-cased first when <see cref="Lowercase"/> is set.
    /// <para>
    /// Word level: a word is a maximal run of letters, combining marks, decimal digits and apostrophes
    /// (<c>'</c>, with <c>’</c> read as <c>'</c>); apostrophes at either end of a word are trimmed, so quotes
    /// disappear but <c>don't</c> stays one word. Everything else — whitespace and punctuation — only separates
    /// words and is dropped, as Keras' default <c>lower_and_strip_punctuation</c>.
    /// </para>
    /// <para>Character level: every Unicode scalar value, whitespace and punctuation included (a surrogate pair is one token).</para>
    /// <para>Punctuated level: the words of word level, and every other non-whitespace character as a token.</para>
    /// <para>Whitespace level: the runs of non-whitespace characters, verbatim.</para>
    /// <para>Subword level: the punctuated words, each split into its learned pieces (the first marked with ▁).</para>
    /// </summary>
    public IEnumerable<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Tokens(text);
    }

    /// <summary>The tokens of a text at this tokenizer's level (subword pieces of its punctuated words at subword level).</summary>
    List<string> Tokens(string text)
    {
        if (_subwords is null) return Split(text, Level, Lowercase);
        var pieces = new List<string>();
        foreach (var word in Split(text, TokenLevel.Punctuated, Lowercase)) pieces.AddRange(_subwords.Split(word));
        return pieces;
    }

    /// <summary>The ids of the tokens of <paramref name="text"/>; tokens outside the vocabulary become <see cref="UnknownId"/>.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = Tokens(text);
        var ids = new int[tokens.Count];
        for (var i = 0; i < ids.Length; i++) ids[i] = _ids.GetValueOrDefault(tokens[i], UnknownId);
        return ids;
    }

    /// <summary>
    /// Encodes <paramref name="texts"/> as ids <c>[batch, maxLength]</c> (floats, for an Embedding), each row padded
    /// with <see cref="PaddingId"/> at the end. A text longer than <paramref name="maxLength"/> keeps its first
    /// tokens, or its last ones when <paramref name="truncateFromStart"/> is set. <paramref name="lengths"/> receives
    /// each row's number of real tokens (≤ <paramref name="maxLength"/>; 0 for a text without tokens).
    /// </summary>
    /// <exception cref="ArgumentException">A text is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below 1.</exception>
    public Tensor EncodeBatch(IReadOnlyList<string> texts, int maxLength, out int[] lengths, bool truncateFromStart = false)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"'maxLength' must be at least 1; received {maxLength}.");
        var ids = Tensor.Zeros(texts.Count, maxLength); // [batch, maxLength]
        var span = ids.Span;
        lengths = new int[texts.Count];
        for (var b = 0; b < texts.Count; b++)
        {
            if (texts[b] is not { } text) throw new ArgumentException($"Text {b} is null.", nameof(texts));
            var row = Encode(text);
            var length = Math.Min(row.Length, maxLength);
            var start = truncateFromStart ? row.Length - length : 0;
            for (var t = 0; t < length; t++) span[b * maxLength + t] = row[start + t];
            lengths[b] = length;
        }
        return ids;
    }

    /// <summary>
    /// The text of <paramref name="ids"/>: characters concatenated, words and symbols joined with single spaces,
    /// punctuated words with spaces where a writer puts them (see <see cref="TokenLevel.Punctuated"/>). Padding (0) is
    /// skipped and <see cref="UnknownId"/> becomes <c>[UNK]</c>; case and dropped punctuation do not come back.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside [0, <see cref="VocabularySize"/>).</exception>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var position = 0;
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)_vocabulary.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Id {position} is {id}; ids must be in [0, {_vocabulary.Length - 1}].");
            position++;
            if (id == PaddingId) continue;
            var token = _vocabulary[id];
            if (Level == TokenLevel.Subword)
            {
                // A piece with the start marker begins a word; the others continue the word before them.
                if (!token.StartsWith(BytePairEncoding.WordStart, StringComparison.Ordinal) && text.Length > 0)
                {
                    text.Append(token);
                    continue;
                }
                token = token.StartsWith(BytePairEncoding.WordStart, StringComparison.Ordinal) ? token[BytePairEncoding.WordStart.Length..] : token;
            }
            if (text.Length > 0 && Spaced(text, token)) text.Append(' ');
            text.Append(token);
        }
        return text.ToString();
    }

    /// <summary>
    /// Whether a space goes between the text so far and the next token: always between words and symbols, never
    /// between characters; at <see cref="TokenLevel.Punctuated"/> level none before closing punctuation (<c>. , ; : ! ? ) ] } » ”</c>)
    /// or after opening punctuation (<c>( [ { « “ ¿ ¡</c>).
    /// </summary>
    bool Spaced(StringBuilder text, string token) => Level switch
    {
        TokenLevel.Character => false,
        TokenLevel.Punctuated or TokenLevel.Subword => !(token.Length == 1 && ".,;:!?)]}»”%".Contains(token[0])) && !"([{«“¿¡".Contains(text[^1]),
        _ => true,
    };

    /// <summary>
    /// The tokenizer as JSON — <c>{"type":"Tokenizer","version":1,"level":"word","lowercase":true,"vocabulary":["","[UNK]",…]}</c> —
    /// for a model's metadata; <see cref="FromJson"/> reads it back.
    /// </summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type", nameof(Tokenizer));
            json.WriteNumber("version", JsonVersion);
            json.WriteString("level", LevelName(Level));
            json.WriteBoolean("lowercase", Lowercase);
            json.WriteStartArray("vocabulary");
            foreach (var token in _vocabulary) json.WriteStringValue(token);
            json.WriteEndArray();
            if (_subwords is not null)
            {
                json.WriteStartArray("merges");
                foreach (var (left, right) in _subwords.Merges)
                {
                    json.WriteStartArray();
                    json.WriteStringValue(left);
                    json.WriteStringValue(right);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a tokenizer written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The text is not JSON, or not a tokenizer's JSON (the message says what is wrong).</exception>
    public static Tokenizer FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The tokenizer JSON is malformed: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad($"expected an object; received {Kind(root)}");
            var type = Property(root, "type", JsonValueKind.String).GetString();
            if (type != nameof(Tokenizer)) throw Bad($"expected \"type\": \"{nameof(Tokenizer)}\"; received \"{type}\"");
            var versionElement = Property(root, "version", JsonValueKind.Number);
            if (!versionElement.TryGetInt32(out var version) || version != JsonVersion)
                throw Bad($"expected version {JsonVersion}; received {versionElement.GetRawText()} (written by a newer LstmSharp?)");
            var levelName = Property(root, "level", JsonValueKind.String).GetString();
            TokenLevel level = levelName switch
            {
                "word" => TokenLevel.Word,
                "character" => TokenLevel.Character,
                "punctuated" => TokenLevel.Punctuated,
                "whitespace" => TokenLevel.Whitespace,
                "subword" => TokenLevel.Subword,
                _ => throw Bad($"expected \"level\" \"word\", \"character\", \"punctuated\", \"whitespace\" or \"subword\"; received \"{levelName}\""),
            };
            var lowercaseElement = root.TryGetProperty("lowercase", out var l) ? l : throw Bad("the property \"lowercase\" is missing");
            if (lowercaseElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw Bad($"expected \"lowercase\" to be true or false; received {Kind(lowercaseElement)}");
            var array = Property(root, "vocabulary", JsonValueKind.Array);
            var count = array.GetArrayLength();
            if (count < 2 || count > MaxVocabularySize)
                throw Bad($"expected a vocabulary of 2 to {MaxVocabularySize} entries (padding and [UNK] first); received {count}");
            var vocabulary = new string[count];
            var seen = new HashSet<string>(StringComparer.Ordinal) { UnknownToken };
            var id = 0;
            foreach (var entry in array.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.String) throw Bad($"vocabulary entry {id} is {Kind(entry)}, not a string");
                var token = entry.GetString()!;
                if (id == PaddingId && token.Length != 0) throw Bad($"vocabulary entry 0 (padding) must be \"\"; received \"{token}\"");
                if (id == UnknownId && token != UnknownToken) throw Bad($"vocabulary entry 1 must be \"{UnknownToken}\"; received \"{token}\"");
                if (id >= 2)
                {
                    if (token.Length == 0) throw Bad($"vocabulary entry {id} is empty");
                    if (level == TokenLevel.Character && !IsOneRune(token)) throw Bad($"vocabulary entry {id} (\"{token}\") is not a single character");
                    if (!seen.Add(token)) throw Bad($"vocabulary entry {id} (\"{token}\") repeats an earlier entry");
                }
                vocabulary[id++] = token;
            }
            return new Tokenizer(level, lowercaseElement.GetBoolean(), vocabulary, level == TokenLevel.Subword ? ReadMerges(root, seen) : null);
        }
    }

    /// <summary>The merges of a subword tokenizer's JSON: pairs of strings whose joining is a vocabulary entry.</summary>
    static BytePairEncoding ReadMerges(JsonElement root, HashSet<string> vocabulary)
    {
        var array = Property(root, "merges", JsonValueKind.Array);
        if (array.GetArrayLength() > vocabulary.Count)
            throw Bad($"{array.GetArrayLength()} merges for a vocabulary of {vocabulary.Count + 1} entries; each merge makes an entry");
        var merges = new List<(string, string)>();
        foreach (var pair in array.EnumerateArray())
        {
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2 || pair.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                throw Bad($"merge {merges.Count} is not a pair of strings");
            var (left, right) = (pair[0].GetString()!, pair[1].GetString()!);
            if (left.Length == 0 || right.Length == 0 || right.StartsWith(BytePairEncoding.WordStart, StringComparison.Ordinal))
                throw Bad($"merge {merges.Count} (\"{Excerpt(left)}\", \"{Excerpt(right)}\") cannot occur: an empty side, or a word start on its right");
            merges.Add((left, right));
        }
        return new BytePairEncoding(merges);
    }

    static string Excerpt(string text) => text.Length <= 40 ? text : text[..40] + "…";

    static List<string> Split(string text, TokenLevel level, bool lowercase)
    {
        CheckLevel(level);
        if (lowercase) text = text.ToLowerInvariant();
        var tokens = new List<string>();
        if (level == TokenLevel.Character)
        {
            // Runes, not chars: a surrogate pair is one character and never splits into invalid halves.
            foreach (var rune in text.EnumerateRunes()) tokens.Add(rune.ToString());
            return tokens;
        }
        if (level == TokenLevel.Whitespace)
        {
            tokens.AddRange(text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            return tokens;
        }
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is '\'' or '\u2019')
            {
                word.Append('\'');
            }
            else if (IsWordRune(rune))
            {
                word.Append(rune.ToString());
            }
            else
            {
                AddWord(tokens, word);
                if (level == TokenLevel.Punctuated && !Rune.IsWhiteSpace(rune)) tokens.Add(rune.ToString());
            }
        }
        AddWord(tokens, word);
        return tokens;
    }

    static void AddWord(List<string> tokens, StringBuilder word)
    {
        var token = word.ToString().Trim('\'');
        if (token.Length > 0) tokens.Add(token);
        word.Clear();
    }

    /// <summary>Whether <paramref name="rune"/> belongs in a word: a letter, a combining mark or a decimal digit.</summary>
    internal static bool IsWordRune(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.DecimalDigitNumber => true,
        _ => false,
    };

    static bool IsOneRune(string token) => Rune.DecodeFromUtf16(token, out _, out var used) == System.Buffers.OperationStatus.Done && used == token.Length;

    static void CheckLevel(TokenLevel level)
    {
        if (!Enum.IsDefined(level))
            throw new ArgumentOutOfRangeException(nameof(level), level, $"Expected TokenLevel.Word, Character, Punctuated or Whitespace; received {(int)level}.");
    }

    /// <summary>The level's name in the JSON form (and the tool's options).</summary>
    internal static string LevelName(TokenLevel level) => level switch
    {
        TokenLevel.Word => "word",
        TokenLevel.Character => "character",
        TokenLevel.Punctuated => "punctuated",
        TokenLevel.Whitespace => "whitespace",
        _ => "subword",
    };

    static JsonElement Property(JsonElement root, string name, JsonValueKind kind)
    {
        if (!root.TryGetProperty(name, out var value)) throw Bad($"the property \"{name}\" is missing");
        if (value.ValueKind != kind) throw Bad($"expected \"{name}\" to be {kind.ToString().ToLowerInvariant()}; received {Kind(value)}");
        return value;
    }

    static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    static FormatException Bad(string what) => new($"Not a valid tokenizer JSON: {what}.");
}
