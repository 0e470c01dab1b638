// Conll: the CoNLL reader's sentence breaks, comments, columns, line numbers and errors, and the writer's round trip.
using LstmSharp.Tagging;
using Xunit;

namespace LstmSharp.Tests.Tagging;

public sealed class ConllTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-conll-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static IReadOnlyList<TaggedSentence> Parse(string text, int tokenColumn = 0, int tagColumn = -1) =>
        Conll.Read(new StringReader(text), "test.conll", tokenColumn, tagColumn);

    [Fact]
    public void Conll_Read_CommentsAndDocStartAreSkippedAndDocStartEndsASentence()
    {
        var sentences = Parse("-DOCSTART- -X- O\n\n# sent_id = 1\nAnna\tB-PER\n# a comment inside the sentence\nsings\tO\n-DOCSTART-\tO\nOslo\tB-LOC\n");
        Assert.Equal(2, sentences.Count);
        Assert.Equal(["Anna", "sings"], sentences[0].Tokens);
        Assert.Equal(["B-PER", "O"], sentences[0].Tags);
        Assert.Equal([4, 6], sentences[0].Lines);
        Assert.Equal(["Oslo"], sentences[1].Tokens);
        Assert.Equal([8], sentences[1].Lines);
    }

    [Fact]
    public void Conll_Read_SeveralBlankLinesAreOneBreak()
    {
        // Line 3 is empty, line 4 holds spaces and a tab, line 5 is empty: one break.
        var sentences = Parse("a\tO\nb\tO\n\n  \t \n\nc\tO\n\n\n");
        Assert.Equal(2, sentences.Count);
        Assert.Equal(["a", "b"], sentences[0].Tokens);
        Assert.Equal(["c"], sentences[1].Tokens);
        Assert.Equal([6], sentences[1].Lines);
    }

    [Fact]
    public void Conll_Read_MissingFinalBlankLine_KeepsTheLastSentence()
    {
        var sentences = Parse("a\tO\n\nb\tB-X\nc\tI-X");
        Assert.Equal(2, sentences.Count);
        Assert.Equal(["b", "c"], sentences[1].Tokens);
        Assert.Equal(["B-X", "I-X"], sentences[1].Tags);
    }

    [Fact]
    public void Conll_Read_CrLfLineEndings_LeaveNoCarriageReturns()
    {
        var sentences = Parse("# c\r\nAnna\tB-PER\r\nsings\tO\r\n\r\nOslo\tB-LOC\r\n");
        Assert.Equal(2, sentences.Count);
        Assert.Equal(["B-PER", "O"], sentences[0].Tags);
        Assert.Equal(["Oslo"], sentences[1].Tokens);
        Assert.Equal(["B-LOC"], sentences[1].Tags);
        Assert.Equal([5], sentences[1].Lines);
    }

    [Fact]
    public void Conll_Read_TabsAndRunsOfSpacesSplitColumns()
    {
        const string text = "Anna  NNP\tB-PER\nsings \t VBZ   O\n";
        var last = Parse(text);
        Assert.Equal(["Anna", "sings"], last[0].Tokens);
        Assert.Equal(["B-PER", "O"], last[0].Tags);
        var middle = Parse(text, tokenColumn: 0, tagColumn: 1);
        Assert.Equal(["NNP", "VBZ"], middle[0].Tags);
        var posAsTokens = Parse(text, tokenColumn: 1, tagColumn: 2);
        Assert.Equal(["NNP", "VBZ"], posAsTokens[0].Tokens);
    }

    [Fact]
    public void Conll_Read_ByteOrderMarkOnTheFirstLineIsDropped()
    {
        var sentences = Parse("\uFEFFAnna\tB-PER\n");
        Assert.Equal(["Anna"], sentences[0].Tokens);
    }

    [Fact]
    public void Conll_Read_LineWithoutTagColumn_MessageHasFileLineAndColumns()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("# c\nAnna\tB-PER\nsings\n"));
        Assert.StartsWith("test.conll:3: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("'sings' has 1 column;", e.Message, StringComparison.Ordinal);
        Assert.Contains("the last column (tagColumn -1)", e.Message, StringComparison.Ordinal);
        Assert.Contains("at least 2 are needed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conll_Read_ExplicitTagColumnPastTheLine_SaysWhichColumn()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("Anna\tNNP\n", tagColumn: 2));
        Assert.StartsWith("test.conll:1: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("'Anna\\tNNP' has 2 columns", e.Message, StringComparison.Ordinal);
        Assert.Contains("the tag from column 2 (the third)", e.Message, StringComparison.Ordinal);
        Assert.Contains("at least 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conll_Read_ColumnCountChanges_ErrorNamesBothLines()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("# c\nthe\tO\n\nNew York\tB-LOC\n"));
        Assert.StartsWith("test.conll:4: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("has 3 columns, but the token lines before it have 2 (the first is line 2)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conll_Read_EmptyFile_ErrorNamesTheFile()
    {
        var path = Path.Combine(_folder, "empty.conll");
        File.WriteAllText(path, "");
        var e = Assert.Throws<InvalidDataException>(() => Conll.Read(path));
        Assert.StartsWith(path + ": no sentences", e.Message, StringComparison.Ordinal);
        var onlyComments = Assert.Throws<InvalidDataException>(() => Parse("# c\n\n-DOCSTART- O\n\n"));
        Assert.StartsWith("test.conll: no sentences", onlyComments.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conll_Read_Path_SourceIsThePathAndLinesAreOneBased()
    {
        var path = Path.Combine(_folder, "two.conll");
        File.WriteAllText(path, "a\tO\n\nb\tB-X\n");
        var sentences = Conll.Read(path);
        Assert.All(sentences, s => Assert.Equal(path, s.Source));
        Assert.Equal([1], sentences[0].Lines);
        Assert.Equal([3], sentences[1].Lines);
    }

    [Theory]
    [InlineData(-1, -1)]
    [InlineData(0, -2)]
    [InlineData(1, 1)]
    public void Conll_Read_BadColumnArguments_Throw(int tokenColumn, int tagColumn) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Parse("a\tO\n", tokenColumn, tagColumn));

    [Fact]
    public void Conll_Write_ReadsBackTheSameTokensAndTags()
    {
        TaggedSentence[] sentences =
        [
            new(["Anna", "sings"], ["B-PER", "O"], "x", [1, 2]),
            new(["in", "Oslo", "."], ["O", "B-LOC", "O"], "x", [4, 5, 6]),
        ];
        var writer = new StringWriter { NewLine = "\r\n" };
        Conll.Write(writer, sentences);
        Assert.Equal("Anna\tB-PER\nsings\tO\n\nin\tO\nOslo\tB-LOC\n.\tO\n\n", writer.ToString());
        var back = Conll.Read(new StringReader(writer.ToString()), "back");
        Assert.Equal(sentences.Select(s => s.Tokens), back.Select(s => s.Tokens));
        Assert.Equal(sentences.Select(s => s.Tags), back.Select(s => s.Tags));
    }

    [Theory]
    [InlineData("New York", "B-LOC")]
    [InlineData("#hashtag", "O")]
    [InlineData("-DOCSTART-", "O")]
    [InlineData("a", "")]
    [InlineData("a", "B LOC")]
    public void Conll_Write_TokenOrTagThatWouldNotReadBack_Throws(string token, string tag)
    {
        var writer = new StringWriter();
        var e = Assert.Throws<ArgumentException>(() => Conll.Write(writer, [new(["ok", token], ["O", tag], "x", [1, 2])]));
        Assert.StartsWith("Sentence 0, token 1:", e.Message, StringComparison.Ordinal);
        Assert.Equal("", writer.ToString());
    }

    [Fact]
    public void Conll_Write_TagsNotOnePerToken_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Conll.Write(new StringWriter(), [new(["a", "b"], ["O"], "x", [1, 2])]));
        Assert.Contains("2 tokens and 1 tags", e.Message, StringComparison.Ordinal);
    }
}
