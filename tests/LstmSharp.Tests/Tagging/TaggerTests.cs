// Tagger: trains a BiLSTM-CRF (and a softmax head) on a small synthetic name corpus (tools/tagging/make_names_sample.py),
// keeps its predictions within the BIO scheme, saves and loads, and refuses bad training data and unknown tags; with
// character features it tags words it never saw by their spelling, where word features alone cannot.
using LstmSharp.Layers;
using LstmSharp.Tagging;
using Xunit;

namespace LstmSharp.Tests.Tagging;

public sealed class TaggerTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tagging", name);

    static readonly TaggerOptions Small = new() { EmbeddingSize = 16, Units = 16, Dropout = 0.1f, Epochs = 8, BatchSize = 16, LearningRate = 0.01f, Seed = 3 };

    static readonly Lazy<Tagger> Crf = new(() => Tagger.Train(Conll.Read(Fixture("names_train.conll")), Small));

    [Fact]
    public void Tagger_Crf_LearnsTheNames()
    {
        var test = Conll.Read(Fixture("names_test.conll"));
        var scores = Crf.Value.Evaluate(test);
        Assert.True(Crf.Value.HasCrf);
        Assert.True(scores.Overall.F1 > 0.95, $"entity F1 {scores.Overall.F1}");
        Assert.True(scores.TokenAccuracy > 0.97, $"token accuracy {scores.TokenAccuracy}");
        Assert.Equal(["LOC", "PER"], scores.ByType.Keys);
        Assert.Equal(Crf.Value.History!.Epochs, Crf.Value.History["val_f1"].Count);
    }

    [Fact]
    public void Tagger_Crf_NeverBreaksTheScheme()
    {
        // Unseen capitalised words in odd places: the CRF's constraints keep every path valid BIO.
        string[][] sentences = [["Zed", "Quux", "visited", "Yarrow", "."], ["Quux"], ["the", "Xavi", "Wolk", "Vint", "met", "Berg"]];
        var tagger = Crf.Value;
        foreach (var tags in tagger.TagAll(sentences))
        {
            var sentence = new TaggedSentence([.. tags.Select(_ => "w")], tags, "predicted", [.. Enumerable.Range(1, tags.Count)]);
            Assert.Empty(TagSchemes.Violations([sentence], TagScheme.Bio));
        }
    }

    [Fact]
    public void Tagger_Softmax_AlsoLearnsTheNames()
    {
        var tagger = Tagger.Train(Conll.Read(Fixture("names_train.conll")), Small with { Crf = false });
        Assert.False(tagger.HasCrf);
        var scores = tagger.Evaluate(Conll.Read(Fixture("names_test.conll")));
        Assert.True(scores.Overall.F1 > 0.9, $"entity F1 {scores.Overall.F1}");
    }

    [Fact]
    public void Tagger_SaveLoad_TagsTheSame()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tagger-{Guid.NewGuid():N}.safetensors");
        try
        {
            Crf.Value.Save(path);
            var loaded = Tagger.Load(path);
            var test = Conll.Read(Fixture("names_test.conll"));
            var tokens = test.Select(s => s.Tokens).ToArray();
            Assert.Equal(Crf.Value.TagAll(tokens), loaded.TagAll(tokens));
            Assert.Equal(Crf.Value.Tags, loaded.Tags);
            Assert.True(loaded.HasCrf);
            Assert.Equal(TagScheme.Bio, loaded.Scheme);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Tagger_Load_RefusesAModelOfAnotherTask()
    {
        var path = Path.Combine(Path.GetTempPath(), $"plain-{Guid.NewGuid():N}.safetensors");
        try
        {
            var input = new Input(-1);
            var model = new Model([input], [new Dense(3).Call(new Embedding(5, 4).Call(input))]);
            model.Save(path);
            var e = Assert.Throws<InvalidDataException>(() => Tagger.Load(path));
            Assert.Contains("not a tagger", e.Message);
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Tagger_LongSentence_IsTaggedInPieces()
    {
        var tagger = Tagger.Train(Conll.Read(Fixture("names_train.conll")), Small with { Epochs = 1, MaxLength = 4 });
        string[] tokens = ["Anna", "Berg", "visited", "Oslo", "today", "and", "Hugo", "met", "the", "team", "."];
        Assert.Equal(tokens.Length, tagger.Tag(tokens).Count);
        Assert.All(tagger.Tag(tokens), t => Assert.Contains(t, tagger.Tags));
    }

    [Fact]
    public void Tagger_Train_RefusesTagsThatBreakTheScheme()
    {
        var conll = "# a comment\nAnna\tB-PER\nBerg\tI-PER\n\nvisited\tO\nOslo\tI-LOC\n";
        var sentences = Conll.Read(new StringReader(conll), "broken.conll");
        var e = Assert.Throws<ArgumentException>(() => Tagger.Train(sentences, Small with { Epochs = 1 }));
        Assert.Contains("broken.conll:6", e.Message);
        Assert.Contains("I-LOC", e.Message);
        // Without a scheme the same tags are plain labels.
        Assert.NotNull(Tagger.Train(sentences, Small with { Epochs = 1, Scheme = TagScheme.None, Patience = 0 }));
    }

    [Fact]
    public void Tagger_Evaluate_CountsAnUnknownTagAsAnErrorAndNamesIt()
    {
        var sentences = Conll.Read(new StringReader("Anna\tB-PER\nin\tO\nOslo\tB-ORG\n"), "gold.conll");
        Assert.Equal(["gold.conll:3: 'B-ORG'"], Crf.Value.UnknownTags(sentences));
        var scores = Crf.Value.Evaluate(sentences);
        Assert.Equal(3, scores.TokenCount);
        Assert.True(scores.CorrectTokens <= 2);   // B-ORG can never be predicted
        Assert.Equal(2, scores.Overall.Gold);
        Assert.True(scores.Overall.Correct <= 1);
    }

    [Fact]
    public void Tagger_Train_RefusesAnEmptySentence()
    {
        var empty = new TaggedSentence([], [], "made.conll", []);
        Assert.Contains("no tokens", Assert.Throws<ArgumentException>(() => Tagger.Train([empty], Small)).Message);
        var uneven = new TaggedSentence(["a", "b"], ["O"], "made.conll", [4, 5]);
        Assert.Contains("made.conll:4", Assert.Throws<ArgumentException>(() => Tagger.Train([uneven], Small)).Message);
    }

    [Fact]
    public void Tagger_FrozenPretrainedEmbeddings_StayAsReadAndAreSaved()
    {
        // Vectors for some of the words (one only lower-cased), width 6.
        var rng = new Random(5);
        string[] known = ["visited", "met", "anna", "oslo", "the"];
        var text = string.Concat(known.Select(w => w + string.Concat(Enumerable.Range(0, 6).Select(_ => $" {rng.NextDouble() - 0.5:F4}")) + "\n"));
        var vectors = LstmSharp.Data.WordVectors.Read(new StringReader(text), "vectors.txt");
        var tagger = Tagger.Train(Conll.Read(Fixture("names_train.conll")), Small with { Embeddings = vectors, FreezeEmbeddings = true, Epochs = 2 });
        Assert.Equal(5, tagger.PretrainedWords);   // Anna and Oslo through their lower-cased forms
        var embedding = tagger.Model.Layers.OfType<Embedding>().Single();
        Assert.Equal(6, embedding.Dimension);
        Assert.False(embedding.Trainable);
        var weight = embedding.Parameters[0].Value.Span;
        // After training, each pre-trained row is still exactly its vector.
        foreach (var spelled in new[] { "visited", "anna", "oslo" })
        {
            Assert.True(vectors.TryGet(spelled, out var expected));
            var rows = 0;
            for (var r = 2; r < embedding.VocabularySize; r++)
            {
                var same = true;
                for (var j = 0; j < 6; j++) same &= weight[r * 6 + j] == expected[j];
                rows += same ? 1 : 0;
            }
            Assert.Equal(1, rows);
        }
        var path = Path.Combine(Path.GetTempPath(), $"frozen-{Guid.NewGuid():N}.safetensors");
        try
        {
            tagger.Save(path);
            Assert.False(Tagger.Load(path).Model.Layers.OfType<Embedding>().Single().Trainable);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Sentences of invented words whose tag is their spelling (capitalised: U, else L), so a word never seen in
    /// training can only be tagged by its characters.
    /// </summary>
    static TaggedSentence[] SpellingTask(int seed, int count)
    {
        var rng = new Random(seed);
        var sentences = new TaggedSentence[count];
        for (var n = 0; n < count; n++)
        {
            var tokens = new string[3 + rng.Next(4)];
            var tags = new string[tokens.Length];
            for (var i = 0; i < tokens.Length; i++)
            {
                var word = new string([.. Enumerable.Range(0, 3 + rng.Next(5)).Select(_ => (char)('a' + rng.Next(26)))]);
                var upper = rng.Next(2) == 0;
                (tokens[i], tags[i]) = (upper ? char.ToUpperInvariant(word[0]) + word[1..] : word, upper ? "U" : "L");
            }
            sentences[n] = new TaggedSentence(tokens, tags, $"spelling-{seed}", [.. Enumerable.Range(1, tokens.Length)]);
        }
        return sentences;
    }

    static readonly TaggerOptions Spelling = Small with
    {
        Scheme = TagScheme.None, Crf = false, CharEmbeddingSize = 8, CharUnits = 8, Epochs = 6, Patience = 0, WordDropout = 0f,
    };

    static readonly Lazy<Tagger> Chars = new(() => Tagger.Train(SpellingTask(1, 300), Spelling with { CharFeatures = true }));

    [Fact]
    public void Tagger_CharFeatures_TagUnseenWordsBySpelling()
    {
        var test = SpellingTask(2, 60);     // every word new: word features see only [UNK]
        var chars = Chars.Value.Evaluate(test).TokenAccuracy;
        var words = Tagger.Train(SpellingTask(1, 300), Spelling).Evaluate(test).TokenAccuracy;
        Assert.True(Chars.Value.HasCharFeatures);
        Assert.True(chars > 0.95, $"token accuracy with character features {chars}");
        Assert.True(words < 0.7, $"token accuracy with word features only {words}");
    }

    [Fact]
    public void Tagger_CharFeatures_SaveLoadTagsTheSame()
    {
        var path = Path.Combine(Path.GetTempPath(), $"chars-{Guid.NewGuid():N}.safetensors");
        try
        {
            Chars.Value.Save(path);
            var loaded = Tagger.Load(path);
            var tokens = SpellingTask(3, 20).Select(s => s.Tokens).ToArray();
            Assert.True(loaded.HasCharFeatures);
            Assert.Equal(Chars.Value.MaxWordLength, loaded.MaxWordLength);
            Assert.Equal(Chars.Value.TagAll(tokens), loaded.TagAll(tokens));

            // Metadata that lists one character fewer than the network's character embedding has rows is refused.
            var model = Model.Load(path);
            var settings = System.Text.Json.Nodes.JsonNode.Parse(model.Metadata["lstmsharp.tagger"])!;
            settings["chars"]!.AsArray().RemoveAt(0);
            model.Metadata["lstmsharp.tagger"] = settings.ToJsonString();
            model.Save(path);
            var e = Assert.Throws<InvalidDataException>(() => Tagger.Load(path));
            Assert.Contains("char_embedding", e.Message);
            Assert.Contains(path, e.Message);

            // Settings without the characters for a network that reads them.
            settings = System.Text.Json.Nodes.JsonNode.Parse(model.Metadata["lstmsharp.tagger"])!;
            settings.AsObject().Remove("chars");
            model.Metadata["lstmsharp.tagger"] = settings.ToJsonString();
            model.Save(path);
            e = Assert.Throws<InvalidDataException>(() => Tagger.Load(path));
            Assert.Contains("list no characters", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Tagger_CharFeatures_LongWordKeepsItsFirstAndLastHalves()
    {
        var tagger = Tagger.Train(SpellingTask(1, 40), Spelling with { CharFeatures = true, Epochs = 1, MaxWordLength = 5 });
        Assert.Equal(tagger.CharIds("abcfg"), tagger.CharIds("abcdefg"));   // a b c … f g
        Assert.Equal(tagger.CharIds("ab"), tagger.CharIds("ab"));
        Assert.Equal(2, tagger.CharIds("ab").Length);
        Assert.NotEqual(tagger.CharIds("abcfg"), tagger.CharIds("abdfg"));
    }
}
