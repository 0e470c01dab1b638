// TokenLevel: whether a Tokenizer splits text into words or into characters.
namespace LstmSharp.Data;

/// <summary>The unit a <see cref="Tokenizer"/> splits text into.</summary>
public enum TokenLevel
{
    /// <summary>Words: runs of letters, digits and apostrophes; punctuation and whitespace separate them and are dropped.</summary>
    Word,

    /// <summary>Characters (Unicode scalar values), whitespace and punctuation included.</summary>
    Character,

    /// <summary>
    /// Words as at <see cref="Word"/> level, and every other character that is not whitespace (punctuation, symbols) as a
    /// token of its own: what translation needs, as the output must carry its punctuation.
    /// </summary>
    Punctuated,

    /// <summary>Runs of non-whitespace characters, kept as they are (symbols such as phonemes or tags written with spaces between).</summary>
    Whitespace,

    /// <summary>
    /// Subword pieces by byte-pair encoding (Sennrich et al. 2016) learned on the fitted texts: the words and
    /// punctuation marks of <see cref="Punctuated"/> level, each split into frequent character sequences, so that rare
    /// words are spelled out of known pieces instead of becoming <c>[UNK]</c>. A word's first piece starts with ▁.
    /// </summary>
    Subword,
}
