// TextExplanation: a classified text with an integrated-gradients attribution per token (TextClassifier.Explain).
namespace LstmSharp.Text;

/// <summary>Why a classifier gave a text a class: an attribution per token read, and the class probabilities.</summary>
/// <param name="Text">The text explained.</param>
/// <param name="Tokens">The tokens the classifier read (at most its <see cref="TextClassifier.MaxLength"/>), in order, each with its attribution.</param>
/// <param name="ClassId">The class explained: the one asked for, or the predicted one.</param>
/// <param name="Class">Its label.</param>
/// <param name="PredictedClassId">The most probable class.</param>
/// <param name="Probabilities">Each class's probability, in class-id order.</param>
/// <param name="Attribution">
/// The integrated-gradients result behind the per-token scores: F is the class's logit (the network's output before
/// the softmax), the baseline has zero embedding vectors at every token read, and its completeness gap says how far
/// the attributions are from adding up to F(text) − F(baseline).
/// </param>
/// <param name="TokensCut">Tokens after the first <see cref="TextClassifier.MaxLength"/>, which the classifier does not read.</param>
public sealed record TextExplanation(
    string Text, IReadOnlyList<TokenAttribution> Tokens, int ClassId, string Class, int PredictedClassId, IReadOnlyList<float> Probabilities,
    IntegratedGradientsResult Attribution, int TokensCut);

/// <summary>One token of an explained text.</summary>
/// <param name="Token">The token as the tokenizer made it (lower-cased where it lower-cases).</param>
/// <param name="Range">Where it stands in the text (<c>text[Range]</c> is the token as written); null when the tokenizer cannot say.</param>
/// <param name="Attribution">
/// Its share of F(text) − F(baseline): the integrated gradients of its embedding vector, summed over the embedding
/// dimension. Positive: the token speaks for the class; negative: against it.
/// </param>
public sealed record TokenAttribution(string Token, Range? Range, double Attribution);
