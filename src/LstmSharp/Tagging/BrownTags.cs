// BrownTags: the base-tag reduction of the Brown corpus's full tags (data/README.md, "tagging/", "Base tags").
namespace LstmSharp.Tagging;

/// <summary>Rules for the tags of the Brown corpus (NLTK's lower-case form, e.g. <c>np-tl</c>, <c>bez*</c>).</summary>
public static class BrownTags
{
    /// <summary>
    /// The base tag of a full Brown tag, with the steps in this order: a tag that starts with <c>fw-</c> (foreign
    /// word) is <c>fw</c>; one that starts with <c>--</c> (the dash, also <c>---hl</c>) is <c>--</c>; any other is cut
    /// at its first <c>-</c>, which removes the modifiers <c>-tl</c>, <c>-hl</c>, <c>-nc</c>, also stacked
    /// (<c>nn-tl-hl</c> → <c>nn</c>); then a trailing <c>*</c> (fused negation) is dropped from a longer tag
    /// (<c>bez*</c> → <c>bez</c>, <c>ppss+bez*</c> → <c>ppss+bez</c>) while the tag <c>*</c> itself stays.
    /// <c>$</c> (possessive) and <c>+</c> (contractions, <c>ppss+md</c>) are kept. This is how NLTK's
    /// <c>simplify_brown_tag</c> treats these markers before its coarse mapping, which is not applied here.
    /// The rule is case-sensitive, as the corpus is lower case; a tag that starts with a single <c>-</c> (the corpus
    /// has none) is returned whole rather than cut to nothing.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tag"/> is empty.</exception>
    public static string Base(string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        if (tag.StartsWith("fw-", StringComparison.Ordinal)) return "fw";
        if (tag.StartsWith("--", StringComparison.Ordinal)) return "--";
        var dash = tag.IndexOf('-', StringComparison.Ordinal);
        var cut = dash > 0 ? tag[..dash] : tag;
        return cut.Length > 1 && cut[^1] == '*' ? cut[..^1] : cut;
    }
}
