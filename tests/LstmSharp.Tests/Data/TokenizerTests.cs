// TokenizerTests: vocabulary order, splitting rules, encoding, batching, decoding and the JSON round trip.
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class TokenizerTests
{
    static readonly string[] Texts = ["The cat sat.", "the dog sat!", "A cat's toy"];

    [Fact]
    public void Fit_Word_OrdersByFrequencyThenOrdinally()
    {
        // Counts: sat 2, the 2, then a, cat, cat's, dog, toy once each ("cat's" is its own word).
        var tokenizer = Tokenizer.Fit(Texts, TokenLevel.Word);
        Assert.Equal(["", "[UNK]", "sat", "the", "a", "cat", "cat's", "dog", "toy"], tokenizer.Vocabulary);
        Assert.Equal(9, tokenizer.VocabularySize);
        Assert.Equal([3, 5, 2, 1, 4, 7], tokenizer.Encode("THE cat sat on a dog"));
    }

    [Fact]
    public void Fit_MaxTokensCountsPaddingAndUnknown_MinCountDropsRareTokens()
    {
        var small = Tokenizer.Fit(Texts, TokenLevel.Word, maxTokens: 5);
        Assert.Equal(["", "[UNK]", "sat", "the", "a"], small.Vocabulary);
        Assert.Equal([3, 1, 2], small.Encode("The dog sat"));
        Assert.Equal(["", "[UNK]", "sat", "the"], Tokenizer.Fit(Texts, TokenLevel.Word, minCount: 2).Vocabulary);
        var e = Assert.Throws<ArgumentException>(() => Tokenizer.Fit(Texts, TokenLevel.Word, minCount: 3));
        Assert.Contains("most frequent occurs 2 times", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Fit(Texts, TokenLevel.Word, maxTokens: 2));
    }

    [Fact]
    public void Fit_CaseSensitive_KeepsCase()
    {
        var tokenizer = Tokenizer.Fit(Texts, TokenLevel.Word, lowercase: false);
        Assert.Contains("The", tokenizer.Vocabulary);
        Assert.Contains("the", tokenizer.Vocabulary);
        Assert.Equal(["A", "Cat"], tokenizer.Split("A Cat"));
    }

    [Fact]
    public void Fit_NoTokensOrNullText_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Tokenizer.Fit(["", "!!! ...", " "], TokenLevel.Word));
        Assert.Contains("no words in 3 text(s)", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Tokenizer.Fit(["a", null!], TokenLevel.Word));
        Assert.Contains("Text 1 is null", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_Word_DropsPunctuationKeepsInnerApostrophes()
    {
        var tokenizer = Tokenizer.Fit(["x"], TokenLevel.Word);
        Assert.Equal(["don't", "quote", "me", "o'brien", "42x", "ok", "café", "nai\u0308ve", "日本語"],
            tokenizer.Split("Don’t 'quote' me, O'Brien... 42x—ok?\n\tCafé nai\u0308ve 日本語 '' 😀"));
    }

    [Fact]
    public void Split_Character_EveryScalarValueIncludingWhitespace()
    {
        var tokenizer = Tokenizer.Fit(["x"], TokenLevel.Character);
        Assert.Equal(["h", "i", " ", "😀", "!", "\n"], tokenizer.Split("Hi 😀!\n"));
    }

    [Fact]
    public void Character_EncodeDecode_RoundTripsKnownText()
    {
        var tokenizer = Tokenizer.Fit(["hello, wörld 😀"], TokenLevel.Character);
        // l ×3, space ×2, then the rest once each in ordinal order (ö and 😀 sort after ASCII).
        Assert.Equal(["", "[UNK]", "l", " ", ",", "d", "e", "h", "o", "r", "w", "ö", "😀"], tokenizer.Vocabulary);
        Assert.Equal("hello 😀 wörld", tokenizer.Decode(tokenizer.Encode("Hello 😀 wörld")));
        Assert.Equal("h[UNK]", tokenizer.Decode(tokenizer.Encode("hz")));
    }

    [Fact]
    public void EncodeBatch_PadsAtEndTruncatesAndReportsLengths()
    {
        var tokenizer = Tokenizer.Fit(Texts, TokenLevel.Word);
        string[] batch = ["the cat sat the", "dog", "..."];
        var ids = tokenizer.EncodeBatch(batch, 3, out var lengths);
        Assert.True(ids.HasShape(3, 3));
        Assert.Equal([3f, 5f, 2f, 7f, 0f, 0f, 0f, 0f, 0f], ids.ToArray());
        Assert.Equal([3, 1, 0], lengths);
        ids = tokenizer.EncodeBatch(batch, 3, out lengths, truncateFromStart: true);
        Assert.Equal([5f, 2f, 3f, 7f, 0f, 0f, 0f, 0f, 0f], ids.ToArray());
        Assert.Equal([3, 1, 0], lengths);
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.EncodeBatch(batch, 0, out _));
    }

    [Fact]
    public void Decode_SkipsPaddingJoinsWordsAndRejectsUnknownIds()
    {
        var tokenizer = Tokenizer.Fit(Texts, TokenLevel.Word);
        Assert.Equal("the cat [UNK]", tokenizer.Decode([0, 3, 5, 1, 0, 0]));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([2, 9]));
        Assert.Contains("Id 1 is 9", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TokenLevel.Word, true)]
    [InlineData(TokenLevel.Character, false)]
    public void ToJson_FromJson_RoundTripsExactly(TokenLevel level, bool lowercase)
    {
        string[] texts = ["Quotes \"x\" and \\back\\slash <b>&amp;</b>", "naïve café 日本語 😀 tab\there", "ÉCOLE école"];
        var tokenizer = Tokenizer.Fit(texts, level, lowercase: lowercase);
        var json = tokenizer.ToJson();
        var back = Tokenizer.FromJson(json);
        Assert.Equal(tokenizer.Vocabulary, back.Vocabulary);
        Assert.Equal(level, back.Level);
        Assert.Equal(lowercase, back.Lowercase);
        Assert.Equal(json, back.ToJson());
        Assert.Equal(tokenizer.Encode(texts[1]), back.Encode(texts[1]));
        Assert.Contains("日", json, StringComparison.Ordinal); // non-ASCII letters stay readable, not \uXXXX
    }

    [Theory]
    [InlineData("{", "malformed")]
    [InlineData("", "malformed")]
    [InlineData("[]", "expected an object")]
    [InlineData("""{"type":"Scaler"}""", "\"type\": \"Tokenizer\"")]
    [InlineData("""{"type":"Tokenizer","level":"word","lowercase":true,"vocabulary":["","[UNK]"]}""", "\"version\" is missing")]
    [InlineData("""{"type":"Tokenizer","version":2,"level":"word","lowercase":true,"vocabulary":["","[UNK]"]}""", "expected version 1; received 2")]
    [InlineData("""{"type":"Tokenizer","version":1,"level":"byte","lowercase":true,"vocabulary":["","[UNK]"]}""", "received \"byte\"")]
    [InlineData("""{"type":"Tokenizer","version":1,"level":"word","lowercase":"yes","vocabulary":["","[UNK]"]}""", "\"lowercase\" to be true or false")]
    [InlineData("""{"type":"Tokenizer","version":1,"level":"word","lowercase":true}""", "\"vocabulary\" is missing")]
    [InlineData("""{"type":"Tokenizer","version":1,"level":"word","lowercase":true,"vocabulary":null}""", "\"vocabulary\" to be array; received null")]
    [InlineData("""{"type":"Tokenizer","version":1,"level":"word","lowercase":true,"vocabulary":[""]}""", "received 1")]
    [InlineData("""{"type":"Tokenizer","version":1,"level":"word","lowercase":true,"vocabulary":["","[UNK]",3]}""", "entry 2 is number")]
    [InlineData("""{"type":"Tokenizer","version":1,"level":"word","lowercase":true,"vocabulary":["","unk","a"]}""", "entry 1 must be \"[UNK]\"")]
    [InlineData("""{"type":"Tokenizer","version":1,"level":"word","lowercase":true,"vocabulary":["pad","[UNK]"]}""", "entry 0 (padding)")]
    [InlineData("""{"type":"Tokenizer","version":1,"level":"word","lowercase":true,"vocabulary":["","[UNK]","a","b","a"]}""", "entry 4 (\"a\") repeats")]
    [InlineData("""{"type":"Tokenizer","version":1,"level":"word","lowercase":true,"vocabulary":["","[UNK]","[UNK]"]}""", "entry 2 (\"[UNK]\") repeats")]
    [InlineData("""{"type":"Tokenizer","version":1,"level":"character","lowercase":true,"vocabulary":["","[UNK]","ab"]}""", "not a single character")]
    public void FromJson_Invalid_ThrowsFormatExceptionSayingWhat(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Tokenizer.FromJson(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Punctuated_KeepsEachPunctuationMark_AndDecodesWithTheSpacesAWriterPuts()
    {
        var tokenizer = Tokenizer.Fit(["¿Dónde está? «Aquí», dijo (él): don't!"], TokenLevel.Punctuated, lowercase: false);
        Assert.Equal(["¿", "Dónde", "está", "?", "«", "Aquí", "»", ",", "dijo", "(", "él", ")", ":", "don't", "!"],
            tokenizer.Split("¿Dónde está? «Aquí», dijo (él): don't!"));
        Assert.Equal("¿Dónde está? «Aquí», dijo (él): don't!", tokenizer.Decode(tokenizer.Encode("¿Dónde  está?\t«Aquí», dijo (él): don't!")));
        var back = Tokenizer.FromJson(tokenizer.ToJson());
        Assert.Equal(TokenLevel.Punctuated, back.Level);
        Assert.Equal(tokenizer.Vocabulary, back.Vocabulary);
    }

    [Fact]
    public void Whitespace_KeepsSymbolsVerbatim()
    {
        var tokenizer = Tokenizer.Fit(["HH AH0 L OW1", "W ER1 L D"], TokenLevel.Whitespace, lowercase: false);
        Assert.Equal(["HH", "AH0", "L", "OW1"], tokenizer.Split(" HH  AH0 L\tOW1 "));
        Assert.Equal("W ER1 L D", tokenizer.Decode(tokenizer.Encode("W ER1 L D")));
        Assert.Equal(TokenLevel.Whitespace, Tokenizer.FromJson(tokenizer.ToJson()).Level);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Fit(["a"], (TokenLevel)9));
    }

}
