// TagSchemes: spans from tags with conlleval's chunk rules, scheme checks with line numbers, and the transitions a
// CRF may take (AllenNLP's allowed_transitions).
namespace LstmSharp.Tagging;

/// <summary>Spans, checks and allowed transitions of the tag schemes in <see cref="TagScheme"/>.</summary>
public static class TagSchemes
{
    /// <summary>
    /// The spans of one sentence's tags, in order. Under <see cref="TagScheme.Bio"/> and <see cref="TagScheme.Iobes"/>
    /// (the same rules for both) they are the chunks of conlleval.pl: a tag splits at its first <c>-</c> into a chunk
    /// tag and a type (<c>O</c> and a tag without <c>-</c> have type ""), the sentence is read as if an <c>O</c> came
    /// before and after it, and a chunk ends before a token when the previous chunk tag is <c>E</c> or <c>S</c>, or is
    /// <c>B</c> or <c>I</c> with the token's <c>B</c>, <c>S</c> or <c>O</c>, or when the previous tag is not
    /// <c>O</c> and the type changes; a chunk starts at a token tagged <c>B</c> or <c>S</c>, at an <c>I</c> or
    /// <c>E</c> after <c>O</c>, <c>E</c> or <c>S</c>, and at any tag other than <c>O</c> whose type differs from the
    /// previous one. So an ill-formed sequence still has spans: <c>I-X</c> after <c>O</c> or after <c>B-Y</c> starts
    /// one. On BIO tags these are exactly conlleval.pl's rules; for the <c>E</c> and <c>S</c> of IOBES they are the
    /// extension that conlleval.py and seqeval (default mode) use, since conlleval.pl itself has no <c>S</c> and joins
    /// <c>S-X S-X</c> into one chunk. conlleval's special chunk tags <c>[</c>, <c>]</c> and <c>.</c> of older
    /// representations are not special here.
    /// Under <see cref="TagScheme.None"/> tags have no prefixes and spans are not really defined; each token whose
    /// tag is not <c>O</c> is a one-token span typed by its whole tag (conlleval's <c>-r</c> mode), so that entity
    /// F1 still means something for part-of-speech tags: it is the accuracy over the tokens not tagged <c>O</c>.
    /// </summary>
    public static IReadOnlyList<EntitySpan> Spans(IReadOnlyList<string> tags, TagScheme scheme)
    {
        CheckScheme(scheme);
        var spans = new List<EntitySpan>();
        if (scheme == TagScheme.None)
        {
            for (var i = 0; i < tags.Count; i++)
                if (tags[i] != "O") spans.Add(new EntitySpan(tags[i], i, i + 1));
            return spans;
        }
        var (previous, previousType) = ("O", "");
        var (start, startType) = (-1, "");
        for (var i = 0; i <= tags.Count; i++)
        {
            var (chunk, type) = i < tags.Count ? SplitConll(tags[i]) : ("O", "");
            var starts = StartsChunk(previous, chunk, previousType, type);
            // A start always ends the chunk before it for B/I/E/S/O chunk tags; the check also closes a chunk that
            // a made-up chunk tag (say X-PER) opened.
            if (start >= 0 && (starts || EndsChunk(previous, chunk, previousType, type)))
            {
                spans.Add(new EntitySpan(startType, start, i));
                start = -1;
            }
            if (starts) (start, startType) = (i, type);
            (previous, previousType) = (chunk, type);
        }
        return spans;
    }

    /// <summary>
    /// The first <paramref name="max"/> places where <paramref name="sentences"/> break <paramref name="scheme"/>, in
    /// file order, each as <c>source:line: what is wrong (the rule)</c>, e.g.
    /// <c>train.conll:12: tag 'I-PER' follows 'O' (BIO: an I- tag must follow a B- or I- of the same type)</c>.
    /// Under BIO a tag must be <c>O</c>, <c>B-TYPE</c> or <c>I-TYPE</c>, and <c>I-X</c> must follow <c>B-X</c> or
    /// <c>I-X</c>. Under IOBES a tag must be <c>O</c> or <c>B-</c>, <c>I-</c>, <c>E-</c>, <c>S-TYPE</c>;
    /// <c>I-X</c> and <c>E-X</c> must follow <c>B-X</c> or <c>I-X</c>; <c>B-X</c> and <c>I-X</c> must be followed by
    /// <c>I-X</c> or <c>E-X</c>, not by another tag or the sentence end. Each pair of neighbouring tags gives at most
    /// one violation, and a pair with an invalid tag gives none beyond the tag's own. <see cref="TagScheme.None"/>
    /// has no rules, so no violations. These are the transitions <see cref="Allowed"/> refuses.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is negative.</exception>
    /// <exception cref="ArgumentException">A sentence has not as many tags and lines as tokens.</exception>
    public static IReadOnlyList<string> Violations(IReadOnlyList<TaggedSentence> sentences, TagScheme scheme, int max = 5)
    {
        CheckScheme(scheme);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        var violations = new List<string>();
        if (scheme == TagScheme.None) return violations;
        for (var s = 0; s < sentences.Count && violations.Count < max; s++)
        {
            var sentence = sentences[s];
            if (sentence.Tags.Count != sentence.Tokens.Count || sentence.Lines.Count != sentence.Tokens.Count)
                throw new ArgumentException($"Sentence {s} of {sentence.Source} has {sentence.Tokens.Count} tokens, {sentence.Tags.Count} tags and {sentence.Lines.Count} line numbers; expected one tag and one line number per token.", nameof(sentences));
            if (sentence.Tags.Count == 0) continue;
            string? previous = null;
            var previousValid = true;
            for (var i = 0; i <= sentence.Tags.Count && violations.Count < max; i++)
            {
                var tag = i < sentence.Tags.Count ? sentence.Tags[i] : null;
                var line = sentence.Lines[Math.Min(i, sentence.Lines.Count - 1)];
                var valid = tag is null || TryParse(tag, scheme, out _, out _);
                if (!valid)
                    violations.Add($"{sentence.Source}:{line}: tag '{tag}' is not valid ({Name(scheme)}: a tag is {Expected(scheme)}, with a TYPE that is not empty)");
                else if (previousValid && Refusal(previous, tag, scheme) is { } rule)
                    violations.Add($"{sentence.Source}:{line}: {Describe(previous, tag)} ({rule})");
                (previous, previousValid) = (tag, valid);
            }
        }
        return violations;
    }

    /// <summary>
    /// Whether tag <paramref name="to"/> may follow tag <paramref name="from"/> under <paramref name="scheme"/>:
    /// <paramref name="from"/> null is the sentence start, <paramref name="to"/> null the sentence end. These are
    /// AllenNLP's <c>allowed_transitions</c> (IOBES as its BIOUL with S = U and E = L), for a CRF's transition
    /// constraints. BIO: anything may go to <c>O</c>, <c>B-</c> or the end, and <c>I-X</c> only after <c>B-X</c> or
    /// <c>I-X</c>. IOBES: after the start, <c>O</c>, <c>E-</c> and <c>S-</c> come <c>O</c>, <c>B-</c>, <c>S-</c> or
    /// the end; after <c>B-X</c> and <c>I-X</c> come only <c>I-X</c> and <c>E-X</c>. Both null (an empty sentence)
    /// is allowed. Under <see cref="TagScheme.None"/> everything is allowed.
    /// </summary>
    /// <exception cref="ArgumentException">A tag is not valid under <paramref name="scheme"/> (say <c>E-PER</c> under BIO, or <c>PER</c>): a CRF over such a tag set would be built wrong.</exception>
    public static bool Allowed(string? from, string? to, TagScheme scheme)
    {
        CheckScheme(scheme);
        if (scheme == TagScheme.None) return true;
        foreach (var tag in (ReadOnlySpan<string?>)[from, to])
            if (tag is not null && !TryParse(tag, scheme, out _, out _))
                throw new ArgumentException($"Tag '{tag}' is not valid under {Name(scheme)}: expected {Expected(scheme)} (TYPE not empty), or null for the sentence start or end.", tag == from ? nameof(from) : nameof(to));
        return Refusal(from, to, scheme) is null;
    }

    /// <summary>The rule that forbids <paramref name="to"/> after <paramref name="from"/> (both valid under <paramref name="scheme"/>, null = start or end), or null when it is allowed.</summary>
    static string? Refusal(string? from, string? to, TagScheme scheme)
    {
        char fromPrefix = 'O', toPrefix = 'O';
        string fromType = "", toType = "";
        if (from is not null) TryParse(from, scheme, out fromPrefix, out fromType);
        if (to is not null) TryParse(to, scheme, out toPrefix, out toType);
        var continues = from is not null && fromPrefix is 'B' or 'I' && fromType == toType;
        if (scheme == TagScheme.Bio)
            return toPrefix == 'I' && !continues ? "BIO: an I- tag must follow a B- or I- of the same type" : null;
        if (to is not null && toPrefix is 'I' or 'E' && !continues)
            return "IOBES: an I- or E- tag must follow a B- or I- of the same type";
        if (from is not null && fromPrefix is 'B' or 'I' && !(to is not null && toPrefix is 'I' or 'E' && fromType == toType))
            return "IOBES: a B- or I- tag must be followed by an I- or E- of the same type";
        return null;
    }

    static string Describe(string? from, string? to) =>
        (from, to) switch
        {
            (null, _) => $"tag '{to}' starts the sentence",
            (_, null) => $"tag '{from}' ends the sentence",
            _ => $"tag '{to}' follows '{from}'",
        };

    /// <summary>Parses a tag under a scheme: <c>O</c>, or a prefix letter of the scheme, <c>-</c> and a non-empty type.</summary>
    static bool TryParse(string tag, TagScheme scheme, out char prefix, out string type)
    {
        (prefix, type) = ('O', "");
        if (tag == "O") return true;
        if (tag.Length < 3 || tag[1] != '-') return false;
        var ok = scheme == TagScheme.Bio ? tag[0] is 'B' or 'I' : tag[0] is 'B' or 'I' or 'E' or 'S';
        if (ok) (prefix, type) = (tag[0], tag[2..]);
        return ok;
    }

    /// <summary>conlleval's split of a tag: the chunk tag before the first '-' and the type after it ("" without a '-').</summary>
    static (string Chunk, string Type) SplitConll(string tag)
    {
        var dash = tag.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? (tag, "") : (tag[..dash], tag[(dash + 1)..]);
    }

    static bool EndsChunk(string previous, string chunk, string previousType, string type) =>
        previous is "E" or "S"
        || (previous is "B" or "I" && chunk is "B" or "S" or "O")
        || (previous != "O" && previousType != type);

    static bool StartsChunk(string previous, string chunk, string previousType, string type) =>
        chunk is "B" or "S"
        || (chunk is "I" or "E" && previous is "O" or "E" or "S")
        || (chunk != "O" && previousType != type);

    static string Name(TagScheme scheme) => scheme == TagScheme.Bio ? "BIO" : "IOBES";

    static string Expected(TagScheme scheme) => scheme == TagScheme.Bio ? "O, B-TYPE or I-TYPE" : "O, B-TYPE, I-TYPE, E-TYPE or S-TYPE";

    internal static void CheckScheme(TagScheme scheme)
    {
        if (!Enum.IsDefined(scheme))
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, $"'scheme' must be None, Bio or Iobes; received {(int)scheme}.");
    }
}
