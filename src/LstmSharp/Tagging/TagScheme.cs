// TagScheme: how tags mark spans (entities), for span extraction, checks and CRF transition constraints.
namespace LstmSharp.Tagging;

/// <summary>How the tags of a sentence mark spans.</summary>
public enum TagScheme
{
    /// <summary>
    /// Plain tags, such as parts of speech: no prefixes and no constraints. For scoring, every token whose tag is not
    /// <c>O</c> is a one-token span typed by its whole tag (conlleval's <c>-r</c> "raw" mode).
    /// </summary>
    None,

    /// <summary>
    /// BIO (IOB2): <c>B-TYPE</c> begins a span, <c>I-TYPE</c> continues it, <c>O</c> is outside. An <c>I-</c> tag must
    /// follow a <c>B-</c> or <c>I-</c> tag of the same type.
    /// </summary>
    Bio,

    /// <summary>
    /// IOBES (BILOU): <c>B-</c> begins a span of two or more tokens, <c>I-</c> continues it, <c>E-</c> ends it,
    /// <c>S-</c> is a one-token span, <c>O</c> is outside.
    /// </summary>
    Iobes,
}
