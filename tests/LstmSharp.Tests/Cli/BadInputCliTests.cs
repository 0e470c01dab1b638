// BadInputCliTests: what a careless user or a hostile file gives the tool — pipes, huge and binary cells, absurd
// options, output paths that cannot work, a diverging language model, a file size limit — each exits 1 with a short
// message naming the problem, before any training where the problem is known before it.
using System.Diagnostics;
using System.Text;
using LstmSharp.Forecasting;
using LstmSharp.Tests.IO;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class BadInputCliTests
{
    static readonly string Air = CliRunner.Data("AirPassengers.csv");

    static string[] Quick(params string[] extra) => ["--epochs", "2", "--lookback", "6", "--plot", "", .. extra];

    static string Fifo(CliRunner cli, string name)
    {
        var path = cli.File(name);
        Assert.Equal(0, SafeTensorsTests.MakeFifo(path, 0b110_000_000));
        return path;
    }

    [Fact]
    public void InfoAndTrain_Fifo_ExitOneWithoutWaitingForAWriter()
    {
        if (OperatingSystem.IsWindows()) return;
        using var cli = new CliRunner();
        var info = cli.Run("info", Fifo(cli, "model.safetensors"));
        Assert.Equal(1, info.Exit);
        Assert.Contains("a pipe, socket or device", info.Error, StringComparison.Ordinal);
        var train = cli.Run(["forecast", "train", Fifo(cli, "data.csv"), "--output", cli.File("m.safetensors"), .. Quick()]);
        Assert.Equal(1, train.Exit);
        Assert.Contains("not a regular file", train.Error, StringComparison.Ordinal);
        var text = cli.Run("text", "train", Fifo(cli, "text.txt"), "--output", cli.File("t.safetensors"));
        Assert.Equal(1, text.Exit);
        Assert.Contains("not a regular file", text.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_MetadataWithEscapeSequences_PrintedWithoutThem()
    {
        using var cli = new CliRunner();
        var model = new Sequential(new Input(3), new LstmSharp.Layers.Dense(2));
        model.Metadata["note\u001b]0;title\u0007"] = "\u001b[2Jcleared " + new string('x', 1000);
        var path = cli.File("m.safetensors");
        model.Save(path);
        var r = cli.Run("info", path);
        Assert.True(r.Exit == 0, r.Error);
        Assert.Contains("?[2Jcleared", r.Out, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', r.Out);
        Assert.DoesNotContain('\u0007', r.Out);
    }

    [Fact]
    public void ForecastTrain_HugeOrBinaryCell_QuotedShortAndPrintable()
    {
        using var cli = new CliRunner();
        var huge = cli.Write("huge.csv", "t,y\n1,1\n2," + new string('9', 5_000_000) + "x\n");
        var h = cli.Run(["forecast", "train", huge, "--output", cli.File("m.safetensors"), .. Quick()]);
        Assert.Equal(1, h.Exit);
        Assert.Contains("(5,000,001 characters)", h.Error, StringComparison.Ordinal);
        Assert.True(h.Error.Length < 500, $"a {h.Error.Length}-character message");
        var binary = cli.File("binary.csv");
        File.WriteAllBytes(binary, [.. "t,y\n1,1\n2,"u8, 0x00, 0x07, 0xFF, 0x1B, .. "[2J\n"u8]);
        var b = cli.Run(["forecast", "train", binary, "--output", cli.File("m.safetensors"), .. Quick()]);
        Assert.Equal(1, b.Exit);
        Assert.Contains("holds '", b.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(b.Error.TrimEnd(), c => char.IsControl(c) && c != '\n');
    }

    [Fact]
    public void ForecastTrain_RowOver16MiB_ExitsOne()
    {
        using var cli = new CliRunner();
        var path = cli.Write("open-quote.csv", "t,y\n1,\"" + new string('a', 17 << 20) + "\n");
        var r = cli.Run(["forecast", "train", path, "--output", cli.File("m.safetensors"), .. Quick()]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("longer than 16 MiB", r.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string[], string> BadOptions() => new()
    {
        { ["--units", "1000000"], "parameters, which need about" },
        { ["--horizon", "2147483647"], "Horizon must be in [1, 1000000]; received 2147483647" },
        { ["--output", "/nonexistent-folder/m.safetensors"], "the folder /nonexistent-folder does not exist" },
        { ["--output", "."], "is a folder" },
        { ["--time-column", "passengers"], "the target 'passengers' is also the time column" },
        { ["--quantiles", "0.1,1.5"], "--quantiles takes levels in (0, 1), comma-separated (e.g. 0.1,0.9), or 'none'; received '1.5'" },
        { ["--quantiles", "0.1,x"], "received 'x'" },
        { ["--quantiles", "0.1,0.9", "--strategy", "recursive"], "Quantiles must be empty with the recursive strategy" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void ForecastTrain_BadOption_ExitsOneBeforeTraining(string[] options, string expected)
    {
        using var cli = new CliRunner();
        var r = cli.Run(["forecast", "train", Air, "--target", "passengers", .. Quick(), .. options]);
        Assert.Equal(1, r.Exit);
        Assert.Contains(expected, r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("forecast epoch", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_OutputIsTheDataFile_ExitsOneAndLeavesTheData()
    {
        using var cli = new CliRunner();
        var data = cli.Write("air.csv", File.ReadAllText(Air));
        var before = File.ReadAllBytes(data);
        var f = cli.Run(["forecast", "train", data, "--output", data, .. Quick()]);
        Assert.Equal(1, f.Exit);
        Assert.Contains("is the input file", f.Error, StringComparison.Ordinal);
        var text = cli.Write("text.txt", string.Concat(Enumerable.Repeat("the quick brown fox. ", 50)));
        var t = cli.Run("text", "train", text, "--output", text, "--epochs", "1");
        Assert.Equal(1, t.Exit);
        Assert.Contains("is the input file", t.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(data));
    }

    [Fact]
    public void TextTrain_NegativeSampleLengthOrDivergence_ExitsOne()
    {
        using var cli = new CliRunner();
        var text = cli.Write("text.txt", string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog. ", 40)));
        var model = cli.File("text.safetensors");
        var negative = cli.Run("text", "train", text, "--sample-length", "-1", "--output", model);
        Assert.Equal(1, negative.Exit);
        Assert.Contains("--sample-length must be 0 (no samples) or more; received -1", negative.Error, StringComparison.Ordinal);
        var diverged = cli.Run("text", "train", text, "--learning-rate", "1e30", "--clip-norm", "0", "--units", "8", "--embedding", "4", "--layers", "1",
            "--steps", "8", "--batch-size", "4", "--epochs", "2", "--plot", "", "--output", model);
        Assert.Equal(1, diverged.Exit);
        Assert.Contains("at batch 2 of epoch 1, over 1e6 times its first value", diverged.Error, StringComparison.Ordinal);
        Assert.Contains("lower --learning-rate", diverged.Error, StringComparison.Ordinal);
        Assert.Contains("No model was saved", diverged.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void ForecastTrain_SeriesThatRepeatsExactly_WarnsThatMaseIsUndefined()
    {
        using var cli = new CliRunner();
        var csv = new StringBuilder("t,y\n");
        for (var i = 0; i < 80; i++) csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i},{(i % 4) + 1}\n");
        var r = cli.Run(["forecast", "train", cli.Write("periodic.csv", csv.ToString()), "--season", "4", "--transform", "none", "--output", cli.File("m.safetensors"), .. Quick()]);
        Assert.True(r.Exit == 0, r.Error);
        Assert.Contains("warning: the MASE of 'LSTM' is", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_UnderFileSizeLimit_ExitsOneNamingTheFileAndKeepsTheOldModel()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var cli = new CliRunner();
        var model = cli.File("air.safetensors");
        var small = cli.Run(["forecast", "train", Air, "--target", "passengers", "--output", model, .. Quick()]);
        Assert.True(small.Exit == 0, small.Error);
        var before = File.ReadAllBytes(model);
        var tool = Path.Combine(AppContext.BaseDirectory, "lstm.dll");
        // A limit of 8 kB: the runtime starts (without its double-mapped code heap, which is a file), the model of 64 units does not fit.
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cli.Folder };
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        foreach (var a in new[] { "-c", "ulimit -f 8; exec dotnet \"$0\" \"$@\"", tool, "forecast", "train", Air, "--target", "passengers", "--epochs", "1", "--units", "64", "--plot", "", "--output", model })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}: {await error}");
        Assert.Contains($"{model}: cannot write the file", await error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(model));
        Assert.Equal(["air.safetensors"], Directory.GetFiles(cli.Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void FarOutside_ForecastsFarBeyondTheData_AreReturned()
    {
        float[] known = [100f, 150f, 200f];
        Assert.Empty(Forecaster.FarOutside(known, [90f, 250f, 40_000f]));
        Assert.Equal([498_462f, -2.3e9f], Forecaster.FarOutside(known, [180f, 498_462f, -2.3e9f]));
        Assert.Equal([float.NaN], Forecaster.FarOutside(known, [float.NaN]));
    }
}
