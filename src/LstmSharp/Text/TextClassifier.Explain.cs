// TextClassifier.Explain: integrated gradients of a class's logit with respect to the embedding of each token of a
// text (Sundararajan et al. 2017), through Model.IntegratedGradients at the Embedding layer's output.
using LstmSharp.Layers;

namespace LstmSharp.Text;

public sealed partial class TextClassifier
{
    /// <summary>
    /// Attributes the logit of class <paramref name="classId"/> (default: the predicted class) for <paramref name="text"/>
    /// to its tokens by integrated gradients (<see cref="Model.IntegratedGradients"/>) in the embedding space: the path runs
    /// from zero embedding vectors (padding stays padding) to the text's embeddings in <paramref name="steps"/> trapezoid
    /// intervals, all points in batches through the network; each token's attribution is the sum over its embedding
    /// vector. The attributions add up to logit(text) − logit(baseline) up to the
    /// <see cref="IntegratedGradientsResult.CompletenessGap"/>, which shrinks as <paramref name="steps"/> grows.
    /// </summary>
    /// <exception cref="ArgumentException">The text has no token the tokenizer reads (it is empty, or only separators).</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="classId"/> is not a class id, or <paramref name="steps"/> is outside [1, <see cref="Model.MaxIntegrationSteps"/>].
    /// </exception>
    /// <exception cref="InvalidOperationException">The network has no Embedding layer, or more than one.</exception>
    /// <exception cref="InvalidDataException">The network made a probability that is not finite (damaged weights).</exception>
    public TextExplanation Explain(string text, int? classId = null, int steps = 50)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (classId is { } asked && (uint)asked >= (uint)Classes.Count)
            throw new ArgumentOutOfRangeException(nameof(classId), asked, $"The classifier has classes 0 to {Classes.Count - 1} ({string.Join(", ", Classes.Take(20))}); received class id {asked}.");
        Internals.Guard.InRange(steps, 1, Model.MaxIntegrationSteps);
        var ids = Tokenizer.EncodeBatch([text], MaxLength, out var lengths);
        var read = lengths[0];
        if (read == 0)
            throw new ArgumentException($"The text '{IO.SafeTensors.Excerpt(text)}' has no tokens the classifier's tokenizer reads ({Data.Tokenizer.LevelName(Tokenizer.Level)} level); give a text with words in it.", nameof(text));

        var probabilities = PredictProbabilities([text])[0];
        var predicted = Array.IndexOf(probabilities, probabilities.Max());
        var explained = classId ?? predicted;
        var result = Attribute(ids, explained, steps);

        var tokens = Tokenizer.Split(text).ToArray();
        var ranges = Tokenizer.Offsets(text);
        var a = result.Attributions.Span;   // [1, MaxLength, dimension]
        var dimension = a.Length / MaxLength;
        var attributed = new TokenAttribution[read];
        for (var t = 0; t < read; t++)
        {
            double sum = 0;
            foreach (var v in a.Slice(t * dimension, dimension)) sum += v;
            attributed[t] = new TokenAttribution(tokens[t], ranges?[t], sum);
        }
        return new TextExplanation(text, attributed, explained, Classes[explained], predicted, probabilities, result, tokens.Length - read);
    }

    /// <summary>
    /// Integrated gradients at the embedding output. An ensemble (<see cref="Join"/>: the average of member networks'
    /// logits) is explained along the path that scales every member's embeddings at once; as each member reads only its
    /// own, that is the mean of the members' own integrated gradients (and of their outputs), so completeness still holds.
    /// </summary>
    IntegratedGradientsResult Attribute(Tensor ids, int classId, int steps)
    {
        var members = Model.Layers.OfType<Model>().ToArray();
        if (members.Length < 2 || Model.Layers[^1] is not Average) return Model.IntegratedGradients([ids], EmbeddingOutput(Model), classId, steps, _batchSize);
        var each = members.Select(m => m.IntegratedGradients([ids], EmbeddingOutput(m), classId, steps, _batchSize)).ToArray();
        var mean = Tensor.Zeros(each[0].Attributions.Shape.ToArray());
        foreach (var r in each)
        {
            var a = r.Attributions.Span;
            var m = mean.Span;
            for (var i = 0; i < m.Length; i++) m[i] += a[i] / each.Length;
        }
        return new IntegratedGradientsResult(mean, each.Average(r => r.Output), each.Average(r => r.BaselineOutput), steps);
    }

    /// <summary>The output of <paramref name="network"/>'s Embedding layer (in it or in a model inside it).</summary>
    static Symbol EmbeddingOutput(Model network)
    {
        var embeddings = network.AllLayers().OfType<Embedding>().ToArray();
        if (embeddings.Length != 1)
            throw new InvalidOperationException($"Explaining a text needs a network with one Embedding layer, whose output the attributions are computed at; this one has {embeddings.Length}.");
        var owner = network.AllLayers().OfType<Model>().First(m => m.Layers.Contains(embeddings[0]));
        return owner.OutputsOf(embeddings[0])[0];
    }
}
