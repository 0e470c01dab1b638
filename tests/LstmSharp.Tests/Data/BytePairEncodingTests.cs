// Subword tokenization against a naive byte-pair encoder written here (every round recounts every pair of every word
// and merges the most frequent, ties by left then right symbol): the learned merges, the vocabulary, the pieces of
// seen and unseen words, and the text joined back; plus the JSON round trip and damaged merges refused.
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class BytePairEncodingTests
{
    const string Marker = "\u2581";

    static List<(string, string)> NaiveMerges(Dictionary<string, int> words, int maxMerges)
    {
        var split = words.ToDictionary(w => w.Key, w => w.Key.EnumerateRunes().Select((r, i) => i == 0 ? Marker + r : r.ToString()).ToList());
        var merges = new List<(string, string)>();
        while (merges.Count < maxMerges)
        {
            var pairs = new Dictionary<(string, string), long>();
            foreach (var (word, symbols) in split)
                for (var i = 0; i + 1 < symbols.Count; i++)
                    pairs[(symbols[i], symbols[i + 1])] = pairs.GetValueOrDefault((symbols[i], symbols[i + 1])) + words[word];
            if (pairs.Count == 0) break;
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1, StringComparer.Ordinal).ThenBy(p => p.Key.Item2, StringComparer.Ordinal).First();
            if (best.Value < 2) break;
            merges.Add(best.Key);
            foreach (var symbols in split.Values)
                for (var i = 0; i + 1 < symbols.Count; i++)
                    if (symbols[i] == best.Key.Item1 && symbols[i + 1] == best.Key.Item2)
                    {
                        symbols[i] += symbols[i + 1];
                        symbols.RemoveAt(i + 1);
                    }
        }
        return merges;
    }

    static readonly string[] Corpus =
    [
        "low low low low low lower lower newest newest newest newest newest newest widest widest widest",
        "the lowest new widest, the newer low!", "Ünïcödé wörds and «quotes» too.",
    ];

    [Fact]
    public void Learn_EqualsTheNaiveAlgorithm_AndSplitsReplayTheMerges()
    {
        var tokenizer = Tokenizer.Fit(Corpus, TokenLevel.Subword, maxTokens: 60, lowercase: false);
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in Corpus)
            foreach (var w in Tokenizer.Fit([text], TokenLevel.Punctuated, lowercase: false).Split(text)) words[w] = words.GetValueOrDefault(w) + 1;
        var symbols = words.SelectMany(w => w.Key.EnumerateRunes().Select((r, i) => i == 0 ? Marker + r : r.ToString())).Distinct().Count();
        var expected = NaiveMerges(words, 58 - symbols);
        Assert.NotEmpty(expected);
        // Every merged symbol is in the vocabulary after the characters, in merge order.
        var merged = expected.Select(m => m.Item1 + m.Item2).Distinct().ToArray();
        Assert.Equal(merged, tokenizer.Vocabulary.Skip(2 + symbols).ToArray());
        Assert.Equal(Marker + "low", tokenizer.Split("low").Single());
        // Words, seen or not, split as replaying every merge in order over their characters does.
        foreach (var word in new[] { "lowest", "newer", "widest", "low", "news", "Ünïcödé" })
        {
            var pieces = word.EnumerateRunes().Select((r, i) => i == 0 ? Marker + r : r.ToString()).ToList();
            foreach (var (left, right) in expected)
                for (var i = 0; i + 1 < pieces.Count; i++)
                    if (pieces[i] == left && pieces[i + 1] == right)
                    {
                        pieces[i] += pieces[i + 1];
                        pieces.RemoveAt(i + 1);
                    }
            Assert.Equal(pieces, tokenizer.Split(word));
        }
        Assert.Equal([Marker + "low", "est"], tokenizer.Split("lowest"));   // "lowest" occurs once: its last merge never pays
        Assert.DoesNotContain(Tokenizer.UnknownId, tokenizer.Encode("lowest newer widest"));
        Assert.Equal("the lowest new widest, the newer low!", tokenizer.Decode(tokenizer.Encode("the lowest new widest, the newer low!")));
        Assert.Equal("Ünïcödé wörds and «quotes» too.", tokenizer.Decode(tokenizer.Encode("Ünïcödé  wörds and «quotes» too.")));
        // A character never seen is [UNK]; the rest of its word still splits.
        var ids = tokenizer.Encode("lowz");
        Assert.Equal(Tokenizer.UnknownId, ids[^1]);
    }

    [Fact]
    public void Json_RoundTrips_AndDamagedMergesAreRefused()
    {
        var tokenizer = Tokenizer.Fit(Corpus, TokenLevel.Subword, maxTokens: 50, lowercase: true);
        var back = Tokenizer.FromJson(tokenizer.ToJson());
        Assert.Equal(TokenLevel.Subword, back.Level);
        Assert.Equal(tokenizer.Vocabulary, back.Vocabulary);
        Assert.Equal(tokenizer.Encode("The newest lowest widest."), back.Encode("The newest lowest widest."));
        var json = tokenizer.ToJson();
        var e = Assert.Throws<FormatException>(() => Tokenizer.FromJson(json.Replace("\"merges\":[[", "\"merges\":[[\"\",", StringComparison.Ordinal)));
        Assert.Contains("merge 0", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<FormatException>(() => Tokenizer.FromJson(json[..json.IndexOf(",\"merges\"", StringComparison.Ordinal)] + "}"));
        Assert.Contains("\"merges\" is missing", e.Message, StringComparison.Ordinal);
    }
}
