// TaggedSentence: one sentence of a tagged corpus, with where each token came from.
namespace LstmSharp.Tagging;

/// <summary>
/// A sentence as <see cref="Conll.Read(TextReader, string, int, int)"/> returns it: <paramref name="Tokens"/>[i] is
/// tagged <paramref name="Tags"/>[i] and was read from line <paramref name="Lines"/>[i] (1-based) of
/// <paramref name="Source"/>, so that an error can point at it. The three lists have the same length; a sentence made
/// by hand (for example <c>sentence with { Tags = predicted }</c>) must keep them so, which
/// <see cref="Conll.Write"/> and <see cref="TagSchemes.Violations"/> check.
/// Equality compares the lists by reference, as records do.
/// </summary>
/// <param name="Tokens">The words, in order.</param>
/// <param name="Tags">One tag per token: a part of speech, or a scheme tag such as <c>B-PER</c> or <c>O</c>.</param>
/// <param name="Source">The file the sentence was read from, as given to the reader, or <c>&lt;stdin&gt;</c>.</param>
/// <param name="Lines">The 1-based line number of each token in <paramref name="Source"/>.</param>
public sealed record TaggedSentence(IReadOnlyList<string> Tokens, IReadOnlyList<string> Tags, string Source, IReadOnlyList<int> Lines);
