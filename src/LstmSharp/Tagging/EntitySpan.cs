// EntitySpan: a typed run of tokens [Start, End) in one sentence.
namespace LstmSharp.Tagging;

/// <summary>
/// A span of tokens <c>[Start, End)</c> of one sentence (End exclusive) with its type, e.g. <c>PER</c> for the tags
/// <c>B-PER I-PER</c>.
/// </summary>
/// <param name="Type">The span's type: the tag without its prefix (the whole tag under <see cref="TagScheme.None"/>).</param>
/// <param name="Start">The index of its first token.</param>
/// <param name="End">The index one past its last token.</param>
public readonly record struct EntitySpan(string Type, int Start, int End)
{
    /// <summary>The number of tokens, <c>End − Start</c>.</summary>
    public int Length => End - Start;
}
