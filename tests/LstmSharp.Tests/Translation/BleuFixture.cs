// BleuFixture: reads the committed BLEU/chrF fixture (tools/bleu_fixtures/make_fixtures.py writes it from NLTK 3.8
// corpus_bleu and a transcription of sacreBLEU 2.x's chrF and 13a tokenizer).
using System.Text.Json;
using Xunit;

namespace LstmSharp.Tests.Translation;

static class BleuFixture
{
    static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "bleu", "bleu_chrf.json"))));

    /// <summary>The cases of one section ("bleu", "bleu_text", "chrf"), by name.</summary>
    public static JsonElement Case(string section, string name) =>
        Document.Value.RootElement.GetProperty(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static TheoryData<string> Names(string section)
    {
        var names = new TheoryData<string>();
        foreach (var c in Document.Value.RootElement.GetProperty(section).EnumerateArray()) names.Add(c.GetProperty("name").GetString()!);
        return names;
    }

    public static string[] Strings(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetString()!)];

    public static string[][] StringLists(JsonElement e) => [.. e.EnumerateArray().Select(Strings)];

    public static string[][][] StringListLists(JsonElement e) => [.. e.EnumerateArray().Select(StringLists)];

    public static long[] Longs(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetInt64())];
}
