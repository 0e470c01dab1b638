// WordVectors: the GloVe / word2vec text format, with the word2vec header, a filter, and errors naming file and line.
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class WordVectorsTests
{
    [Fact]
    public void Read_GloveAndWord2VecText_KeepsTheFilteredWords()
    {
        var glove = WordVectors.Read(new StringReader("the 0.5 -1 2e-1\ncat 1 2 3\n\nthe 9 9 9\n"), "glove.txt");
        Assert.Equal(3, glove.Dimension);
        Assert.Equal(2, glove.Count);
        Assert.True(glove.TryGet("the", out var the));
        Assert.Equal([0.5f, -1f, 0.2f], the.ToArray());   // the first line for a word wins
        Assert.False(glove.TryGet("The", out _));

        var word2vec = WordVectors.Read(new StringReader("3 2\na 1 2\nb 3 4\nc 5 6\n"), "w2v.txt", w => w != "b");
        Assert.Equal(2, word2vec.Dimension);
        Assert.Equal(2, word2vec.Count);
        Assert.False(word2vec.TryGet("b", out _));
    }

    [Theory]
    [InlineData("a 1 2\nb 1\n", "v.txt:2", "1 values")]
    [InlineData("a 1 2\nb 1 NaN\n", "v.txt:2", "'NaN'")]
    [InlineData("a 1 x\n", "v.txt:1", "'x'")]
    [InlineData("lonely\n", "v.txt:1", "a word and its values")]
    [InlineData("\n\n", "v.txt", "no word vectors")]
    public void Read_BadInput_NamesFileAndLine(string text, string where, string what)
    {
        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Read(new StringReader(text), "v.txt"));
        Assert.StartsWith(where, e.Message, StringComparison.Ordinal);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }
}
