// TagSchemes: conlleval's chunks (BIO and IOBES), scheme violations with their lines, and CRF transitions.
using LstmSharp.Tagging;
using Xunit;

namespace LstmSharp.Tests.Tagging;

public sealed class TagSchemesTests
{
    [Fact]
    public void TagSchemes_Spans_Bio_FollowsConllevalOnIllFormedTags()
    {
        // B-PER after I-PER starts a new span; I-LOC after O starts one; I-LOC after B-ORG starts one (type change).
        string[] tags = ["B-PER", "I-PER", "B-PER", "O", "I-LOC", "B-ORG", "I-LOC", "I-LOC"];
        Assert.Equal(
            [new("PER", 0, 2), new("PER", 2, 3), new("LOC", 4, 5), new("ORG", 5, 6), new("LOC", 6, 8)],
            TagSchemes.Spans(tags, TagScheme.Bio));
    }

    [Fact]
    public void TagSchemes_Spans_Iobes_EndAndSingleCloseSpans()
    {
        // S-PER S-PER is two spans (conlleval.pl without S would join them); E-LOC closes B-LOC I-LOC; E-ORG after
        // E-LOC starts a one-token span; B-MISC at the end still makes a span; B-X after E-X starts a new one.
        string[] tags = ["S-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "E-ORG", "O", "B-X", "E-X", "B-X", "E-X", "B-MISC"];
        Assert.Equal(
            [new("PER", 0, 1), new("PER", 1, 2), new("LOC", 2, 5), new("ORG", 5, 6), new("X", 7, 9), new("X", 9, 11), new("MISC", 11, 12)],
            TagSchemes.Spans(tags, TagScheme.Iobes));
        Assert.Equal(TagSchemes.Spans(tags, TagScheme.Iobes), TagSchemes.Spans(tags, TagScheme.Bio));
    }

    [Fact]
    public void TagSchemes_Spans_TypesMayHoldHyphens()
    {
        Assert.Equal([new("np-tl", 0, 2)], TagSchemes.Spans(["B-np-tl", "I-np-tl"], TagScheme.Bio));
    }

    [Fact]
    public void TagSchemes_Spans_None_EveryTokenNotTaggedOIsASpan()
    {
        var spans = TagSchemes.Spans(["DT", "NN", "NN", "O", "B-X"], TagScheme.None);
        Assert.Equal([new("DT", 0, 1), new("NN", 1, 2), new("NN", 2, 3), new("B-X", 4, 5)], spans);
        Assert.All(spans, s => Assert.Equal(1, s.Length));
    }

    [Fact]
    public void TagSchemes_Spans_EmptySentence_HasNone() =>
        Assert.Empty(TagSchemes.Spans([], TagScheme.Bio));

    [Fact]
    public void TagSchemes_Violations_Bio_GiveSourceAndLine()
    {
        const string text =
            "# doc\n" +         // 1
            "Anna\tI-PER\n" +   // 2: starts the sentence
            "Berg\tI-PER\n" +   // 3: fine
            "met\tO\n" +        // 4
            "Oslo\tI-LOC\n" +   // 5: follows O
            "Bank\tB-ORG\n" +   // 6
            "x\tPER\n" +        // 7: no prefix
            "y\tI-ORG\n" +      // 8: after an invalid tag: not checked again
            "\n" +              // 9
            "z\tB-LOC\n" +      // 10
            "w\tI-PER\n" +      // 11: type change
            "v\tS-PER\n";       // 12: not a BIO tag
        var sentences = Conll.Read(new StringReader(text), "bio.conll");
        Assert.Equal(
        [
            "bio.conll:2: tag 'I-PER' starts the sentence (BIO: an I- tag must follow a B- or I- of the same type)",
            "bio.conll:5: tag 'I-LOC' follows 'O' (BIO: an I- tag must follow a B- or I- of the same type)",
            "bio.conll:7: tag 'PER' is not valid (BIO: a tag is O, B-TYPE or I-TYPE, with a TYPE that is not empty)",
            "bio.conll:11: tag 'I-PER' follows 'B-LOC' (BIO: an I- tag must follow a B- or I- of the same type)",
            "bio.conll:12: tag 'S-PER' is not valid (BIO: a tag is O, B-TYPE or I-TYPE, with a TYPE that is not empty)",
        ], TagSchemes.Violations(sentences, TagScheme.Bio, max: 100));
        Assert.Equal(2, TagSchemes.Violations(sentences, TagScheme.Bio, max: 2).Count);
        Assert.Equal(5, TagSchemes.Violations(sentences, TagScheme.Bio).Count);
        Assert.Empty(TagSchemes.Violations(sentences, TagScheme.Bio, max: 0));
        Assert.Empty(TagSchemes.Violations(sentences, TagScheme.None));
    }

    [Fact]
    public void TagSchemes_Violations_Iobes_GiveSourceAndLine()
    {
        const string text =
            "a\tB-PER\n" +   // 1
            "b\tO\n" +       // 2: B-PER not closed
            "c\tE-LOC\n" +   // 3: E- after O
            "d\tS-LOC\n" +   // 4
            "e\tB-ORG\n" +   // 5
            "f\tE-ORG\n" +   // 6
            "g\tI-MISC\n" +  // 7: I- after E-, and the sentence ends after it
            "\n" +           // 8
            "h\tB-PER\n" +   // 9: ends the sentence
            "\n" +           // 10
            "i\tB-X\n" +     // 11
            "j\tI-X\n" +     // 12
            "k\tE-X\n";      // 13: well formed
        var sentences = Conll.Read(new StringReader(text), "iobes.conll");
        Assert.Equal(
        [
            "iobes.conll:2: tag 'O' follows 'B-PER' (IOBES: a B- or I- tag must be followed by an I- or E- of the same type)",
            "iobes.conll:3: tag 'E-LOC' follows 'O' (IOBES: an I- or E- tag must follow a B- or I- of the same type)",
            "iobes.conll:7: tag 'I-MISC' follows 'E-ORG' (IOBES: an I- or E- tag must follow a B- or I- of the same type)",
            "iobes.conll:7: tag 'I-MISC' ends the sentence (IOBES: a B- or I- tag must be followed by an I- or E- of the same type)",
            "iobes.conll:9: tag 'B-PER' ends the sentence (IOBES: a B- or I- tag must be followed by an I- or E- of the same type)",
        ], TagSchemes.Violations(sentences, TagScheme.Iobes));
    }

    [Fact]
    public void TagSchemes_Violations_LinesNotOnePerToken_Throws() =>
        Assert.Throws<ArgumentException>(() => TagSchemes.Violations([new(["a", "b"], ["O", "O"], "x", [1])], TagScheme.Bio));

    [Theory]
    [InlineData(null, "O", true)]
    [InlineData(null, "B-PER", true)]
    [InlineData(null, "I-PER", false)]
    [InlineData("O", "I-PER", false)]
    [InlineData("B-PER", "I-PER", true)]
    [InlineData("I-PER", "I-PER", true)]
    [InlineData("B-LOC", "I-PER", false)]
    [InlineData("I-PER", "B-PER", true)]
    [InlineData("B-PER", "O", true)]
    [InlineData("I-PER", null, true)]
    [InlineData("O", null, true)]
    public void TagSchemes_Allowed_Bio(string? from, string? to, bool allowed) =>
        Assert.Equal(allowed, TagSchemes.Allowed(from, to, TagScheme.Bio));

    [Theory]
    [InlineData(null, "O", true)]
    [InlineData(null, "B-PER", true)]
    [InlineData(null, "S-PER", true)]
    [InlineData(null, "I-PER", false)]
    [InlineData(null, "E-PER", false)]
    [InlineData("B-PER", "I-PER", true)]
    [InlineData("B-PER", "E-PER", true)]
    [InlineData("I-PER", "E-PER", true)]
    [InlineData("B-PER", "E-LOC", false)]
    [InlineData("B-PER", "O", false)]
    [InlineData("I-PER", "B-PER", false)]
    [InlineData("B-PER", "S-PER", false)]
    [InlineData("E-PER", "B-PER", true)]
    [InlineData("E-PER", "S-LOC", true)]
    [InlineData("S-PER", "O", true)]
    [InlineData("S-PER", "I-PER", false)]
    [InlineData("O", "E-PER", false)]
    [InlineData("E-PER", null, true)]
    [InlineData("S-PER", null, true)]
    [InlineData("B-PER", null, false)]
    [InlineData("I-PER", null, false)]
    public void TagSchemes_Allowed_Iobes(string? from, string? to, bool allowed) =>
        Assert.Equal(allowed, TagSchemes.Allowed(from, to, TagScheme.Iobes));

    [Fact]
    public void TagSchemes_Allowed_None_AllowsEverything()
    {
        Assert.True(TagSchemes.Allowed(null, "I-PER", TagScheme.None));
        Assert.True(TagSchemes.Allowed("B-PER", null, TagScheme.None));
    }

    [Theory]
    [InlineData("PER", TagScheme.Bio)]
    [InlineData("E-PER", TagScheme.Bio)]
    [InlineData("B-", TagScheme.Iobes)]
    public void TagSchemes_Allowed_TagInvalidForTheScheme_Throws(string tag, TagScheme scheme)
    {
        var e = Assert.Throws<ArgumentException>(() => TagSchemes.Allowed("O", tag, scheme));
        Assert.Contains($"'{tag}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TagSchemes_AllowedAndViolations_AgreeOnEverySequenceOfThree()
    {
        // Every 3-tag sentence over a small IOBES tag set: no violation exactly when every transition is allowed.
        string[] set = ["O", "B-A", "I-A", "E-A", "S-A", "B-B", "E-B"];
        foreach (var scheme in (TagScheme[])[TagScheme.Bio, TagScheme.Iobes])
        {
            var valid = set.Where(t => scheme == TagScheme.Iobes || t[0] is 'O' or 'B' or 'I').ToArray();
            foreach (var a in valid)
                foreach (var b in valid)
                    foreach (var c in valid)
                    {
                        string?[] path = [null, a, b, c, null];
                        var allowed = Enumerable.Range(0, 4).All(i => TagSchemes.Allowed(path[i], path[i + 1], scheme));
                        var violations = TagSchemes.Violations([new([a, b, c], [a, b, c], "x", [1, 2, 3])], scheme);
                        Assert.True(allowed == (violations.Count == 0), $"{scheme} {a} {b} {c}: allowed {allowed}, violations [{string.Join("; ", violations)}]");
                    }
        }
    }
}
