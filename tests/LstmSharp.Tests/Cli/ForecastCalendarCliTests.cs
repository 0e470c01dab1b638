// `lstm forecast train --calendar/--holidays`: the features chosen from a daily file's dates, the holidays read from a
// file, the saved model forecasting the week after the data (dates continued) and evaluating and checking rows with
// them; a series without dates, unknown feature names, a bad holiday line and the recursive strategy refused.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class ForecastCalendarCliTests
{
    internal static readonly float[] Week = [1, 2, 1, 3, 2, 8, 9];   // Monday first; weekends high

    /// <summary>Daily rows from Monday 4 January 2021: the weekday's value + N(0, 0.05²), 5 lower on every holiday; the holidays in holidays.csv.</summary>
    static (string Data, string Holidays) Daily(CliRunner cli, int days = 420)
    {
        var rng = new Random(11);
        var start = new DateTime(2021, 1, 4);
        var holidays = Enumerable.Range(0, days).Where(i => i % 17 == 9).Select(i => start.AddDays(i)).ToHashSet();
        var csv = new StringBuilder("date,visits\n");
        for (var i = 0; i < days; i++)
        {
            var d = start.AddDays(i);
            var noise = 0.05 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            var v = Week[((int)d.DayOfWeek + 6) % 7] + noise - (holidays.Contains(d) ? 5 : 0);
            csv.Append(CultureInfo.InvariantCulture, $"{d:yyyy-MM-dd},{v:F4}\n");
        }
        // The holidays file lists one in the week after the data too (day 422, a Wednesday), as a calendar would.
        var list = "date,name\n" + string.Concat(holidays.Append(start.AddDays(422)).Order().Select(d => $"{d:yyyy-MM-dd},holiday\n"));
        return (cli.Write("daily.csv", csv.ToString()), cli.Write("holidays.csv", list));
    }

    [Fact]
    public void Train_CalendarAutoWithHolidays_ForecastsTheWeekAfterTheDataAndEvaluates()
    {
        using var cli = new CliRunner();
        var (data, holidays) = Daily(cli);
        var model = cli.File("daily.safetensors");
        var r = cli.Run("forecast", "train", data, "--calendar", "auto", "--holidays", holidays, "--horizon", "7", "--lookback", "7", "--transform", "none",
            "--epochs", "60", "--units", "16", "--test", "28", "--plot", "", "--output", model, "--json");
        Assert.True(r.Exit == 0, r.Error);
        var json = JsonNode.Parse(r.Out)!;
        Assert.Equal("weekday", (string?)json["calendar"]);   // a daily step over less than two years
        Assert.Equal(420 / 17 + 2, (int)json["holidays"]!);
        Assert.Contains("weekday, holidays (26 days) (auto: from the time step)", r.Error, StringComparison.Ordinal);
        Assert.True((double)json["test"]!["LSTM"]!["mase"]! < 0.5 * (double)json["test"]!["seasonal naive"]!["mase"]!, json["test"]!.ToJsonString());

        var forecasts = cli.File("forecasts.csv");
        r = cli.Run("forecast", "predict", data, "--model", model, "--output", forecasts);
        Assert.True(r.Exit == 0, r.Error);
        var lines = File.ReadAllLines(forecasts);
        Assert.Equal(8, lines.Length);
        for (var k = 1; k <= 7; k++)
        {
            var fields = lines[k].Split(',');
            var date = DateTime.ParseExact(fields[1], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            Assert.Equal(new DateTime(2021, 1, 4).AddDays(419 + k), date);
            var expected = Week[((int)date.DayOfWeek + 6) % 7] - (419 + k == 422 ? 5 : 0);
            Assert.True(Math.Abs(float.Parse(fields[2], CultureInfo.InvariantCulture) - expected) < 0.6, lines[k]);
        }

        r = cli.Run("forecast", "evaluate", data, "--model", model, "--plot", "", "--json");
        Assert.True(r.Exit == 0, r.Error);
        Assert.Equal((double)json["test"]!["LSTM"]!["mase"]!, (double)JsonNode.Parse(r.Out)!["test"]!["LSTM"]!["mase"]!, 6);
        r = cli.Run("forecast", "detect", data, "--model", model, "--output", cli.File("anomalies.csv"), "--plot", "");
        Assert.True(r.Exit == 0, r.Error);
    }

    [Fact]
    public void BadCalendarInput_ExitsOneAndSaysWhy()
    {
        using var cli = new CliRunner();
        var (data, holidays) = Daily(cli, 120);
        var numbered = cli.Write("numbered.csv", "t,visits\n" + string.Concat(Enumerable.Range(1, 120).Select(i => $"{i},{Week[i % 7]}\n")));
        string[] quick = ["--epochs", "1", "--plot", "", "--output", cli.File("m.safetensors")];

        var r = cli.Run(["forecast", "train", numbered, "--calendar", "weekday", .. quick]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("numbered.csv: calendar features (weekday) need the date of every row, and there is no time column", r.Error, StringComparison.Ordinal);
        r = cli.Run(["forecast", "train", numbered, "--calendar", "weekday", "--time-column", "t", .. quick]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("the time column 't' holds '1', which is not a date", r.Error, StringComparison.Ordinal);

        r = cli.Run(["forecast", "train", data, "--calendar", "weekday,weekend", .. quick]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("--calendar: 'weekend' is not a calendar feature", r.Error, StringComparison.Ordinal);

        var commented = cli.Write("commented-holidays.csv", "# public holidays\n\ndate,name\n2021-01-05,one\n");
        r = cli.Run(["forecast", "train", data, "--holidays", commented, "--json", .. quick]);
        Assert.True(r.Exit == 0, r.Error);
        Assert.Equal(1, (int)JsonNode.Parse(r.Out)!["holidays"]!);

        var bad = cli.Write("bad-holidays.csv", "date\n2021-01-01\n2021-13-01\n");
        r = cli.Run(["forecast", "train", data, "--holidays", bad, .. quick]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("bad-holidays.csv:3: '2021-13-01' is not a date", r.Error, StringComparison.Ordinal);

        r = cli.Run(["forecast", "train", data, "--holidays", holidays, "--strategy", "recursive", .. quick]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("--calendar and --holidays need --strategy direct", r.Error, StringComparison.Ordinal);
        // auto with the recursive strategy chooses none.
        r = cli.Run(["forecast", "train", data, "--calendar", "auto", "--strategy", "recursive", "--json", .. quick]);
        Assert.True(r.Exit == 0, r.Error);
        Assert.Equal("none", (string?)JsonNode.Parse(r.Out)!["calendar"]);
    }
}
