// ExactMatch: sequence-level accuracy on token lists and strings.
using LstmSharp.Translation;
using Xunit;

namespace LstmSharp.Tests.Translation;

public sealed class ExactMatchTests
{
    [Fact]
    public void ExactMatch_Accuracy_CountsWholeSequencesOnly()
    {
        int[][] predictions = [[1, 2, 3], [4, 5], [6]];
        int[][] targets = [[1, 2, 3], [4, 5, 0], [7]];
        Assert.Equal(1.0 / 3, ExactMatch.Accuracy(predictions, targets), 1e-15);
        Assert.Equal(0.5, ExactMatch.Accuracy(["12+3", "7"], ["12+3", "8"]));
    }

    [Fact]
    public void ExactMatch_Accuracy_RejectsMismatchedOrEmpty()
    {
        Assert.Throws<ArgumentException>(() => ExactMatch.Accuracy(["a"], ["a", "b"]));
        Assert.Throws<ArgumentException>(() => ExactMatch.Accuracy(Array.Empty<string>(), Array.Empty<string>()));
    }
}
