// TokenLevel: whether a Tokenizer splits text into words or into characters.
namespace LstmSharp.Data;

/// <summary>The unit a <see cref="Tokenizer"/> splits text into.</summary>
public enum TokenLevel
{
    /// <summary>Words: runs of letters, digits and apostrophes; punctuation and whitespace separate them and are dropped.</summary>
    Word,

    /// <summary>Characters (Unicode scalar values), whitespace and punctuation included.</summary>
    Character,
}
