// Tokenizer.Offsets: each token found where it stands in the text as written, at every level.
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class TokenizerOffsetsTests
{
    const string Text = "Don’t STOP, 'believing' — 2 times!";

    static string[] Pieces(Tokenizer tokenizer, string text) => [.. tokenizer.Offsets(text)!.Select(r => text[r])];

    [Fact]
    public void Offsets_WordLevel_GiveTheWordsAsWrittenWithCaseAndCurlyApostrophe()
    {
        var tokenizer = Tokenizer.Fit([Text], TokenLevel.Word);
        Assert.Equal(["don't", "stop", "believing", "2", "times"], tokenizer.Split(Text));
        Assert.Equal(["Don’t", "STOP", "believing", "2", "times"], Pieces(tokenizer, Text));
        Assert.Equal(0..5, tokenizer.Offsets(Text)![0]);
    }

    [Fact]
    public void Offsets_CharacterPunctuatedAndWhitespaceLevels_CoverEachToken()
    {
        var characters = Tokenizer.Fit([Text], TokenLevel.Character, lowercase: false);
        Assert.Equal(characters.Split(Text), Pieces(characters, Text));
        var punctuated = Tokenizer.Fit([Text], TokenLevel.Punctuated);
        Assert.Equal(["Don’t", "STOP", ",", "believing", "—", "2", "times", "!"], Pieces(punctuated, Text));
        var whitespace = Tokenizer.Fit([Text], TokenLevel.Whitespace, lowercase: false);
        Assert.Equal(Text.Split(' ', StringSplitOptions.RemoveEmptyEntries), Pieces(whitespace, Text));
    }

    [Fact]
    public void Offsets_SubwordLevel_PiecesJoinBackIntoTheWords()
    {
        var tokenizer = Tokenizer.Fit(["lower lowest newer newest wider widest", Text], TokenLevel.Subword, maxTokens: 40);
        const string text = "Lowest, WIDER";
        var pieces = tokenizer.Split(text).ToArray();
        Assert.True(pieces.Length > 3, $"expected the words split into pieces; received {string.Join(" ", pieces)}");
        var ranges = tokenizer.Offsets(text)!;
        Assert.Equal(pieces.Length, ranges.Length);
        Assert.Equal(pieces.Select(p => p.TrimStart('\u2581')), ranges.Select(r => text[r].ToLowerInvariant()));
        for (var i = 1; i < ranges.Length; i++) Assert.True(ranges[i].Start.Value >= ranges[i - 1].End.Value);
    }
}
