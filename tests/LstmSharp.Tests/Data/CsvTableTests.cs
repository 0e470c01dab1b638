// CsvTableTests: the public CSV reader — quoting, separators, missing values, tensors — and its errors naming the
// source, line and column, checked against hand-written files.
using System.Text;
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class CsvTableTests
{
    [Fact]
    public void Parse_QuotedFields_AreUnescapedAndKeepSeparators()
    {
        var table = CsvTable.Parse("name,value\n\"a, b\",1\n\"say \"\"hi\"\"\", 2 \n");
        Assert.Equal(["name", "value"], table.Columns);
        Assert.Equal(["a, b", "say \"hi\""], table.Strings("name"));
        Assert.Equal([1f, 2f], table.Numbers("value"));
    }

    [Theory]
    [InlineData("a;b\n1;2\n3;4\n")]
    [InlineData("a\tb\n1\t2\n3\t4\n")]
    [InlineData("a,b\n1,2\n3,4\n")]
    public void Parse_Separator_IsDetectedFromTheHeader(string text)
    {
        var table = CsvTable.Parse(text);
        Assert.Equal(["a", "b"], table.Columns);
        Assert.Equal([2f, 4f], table.Numbers("b"));
    }

    [Fact]
    public void Parse_GivenSeparator_IsUsedEvenWhenTheHeaderHoldsAnother()
    {
        var table = CsvTable.Parse("price,eur;count\n1,5;2\n", options: new CsvOptions { Separator = ';' });
        Assert.Equal(["price,eur", "count"], table.Columns);
        Assert.Equal(["1,5"], table.Strings("price,eur"));
    }

    [Fact]
    public void Numbers_MissingValues_AreNaN()
    {
        var table = CsvTable.Parse("t,y\n1,\n2,NA\n3,4.5\n4,?\n5,-2e-1\n");
        var y = table.Numbers("y");
        Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[1]) && float.IsNaN(y[3]));
        Assert.Equal(4.5f, y[2]);
        Assert.Equal(-0.2f, y[4]);
        Assert.True(table.IsMissing(1, "y"));
        Assert.False(table.IsMissing(2, "y"));
    }

    [Fact]
    public void Numbers_CustomMissingValues_ReplaceTheDefaults()
    {
        var table = CsvTable.Parse("y\n-999\nNA\n", options: new CsvOptions { MissingValues = ["-999"] });
        var e = Assert.Throws<InvalidDataException>(() => table.Numbers("y"));
        Assert.StartsWith("text:3: column 'y' (column 1) holds 'NA', which is not a number (nor a missing value: '-999')", e.Message, StringComparison.Ordinal);
        Assert.True(table.IsMissing(0, "y"));
    }

    [Fact]
    public void Numbers_NotANumber_NamesSourceLineAndColumn()
    {
        var table = CsvTable.Parse("a,b\n1,2\n\n3,x7\n", "data.csv");
        var e = Assert.Throws<InvalidDataException>(() => table.Numbers("b"));
        Assert.StartsWith("data.csv:4: column 'b' (column 2) holds 'x7', which is not a number", e.Message, StringComparison.Ordinal);
        Assert.Equal([1f, 3f], table.Numbers("a"));
        Assert.Equal(4, table.Line(1));
    }

    [Fact]
    public void Parse_RaggedRow_NamesLineAndExpectedFields()
    {
        var e = Assert.Throws<InvalidDataException>(() => CsvTable.Parse("a,b\n1,2\n1,2,3\n", "ragged.csv"));
        Assert.Equal("ragged.csv:3: expected 2 fields (a, b), found 3: '1,2,3'.", e.Message);
    }

    [Fact]
    public void Parse_HeaderOnly_SaysThereAreNoRows()
    {
        var e = Assert.Throws<InvalidDataException>(() => CsvTable.Parse("a,b\n\n", "h.csv"));
        Assert.Equal("h.csv: no data rows after the header (a, b).", e.Message);
    }

    [Fact]
    public void Parse_ColumnNamedTwice_IsAnErrorOnTheHeaderLine()
    {
        var e = Assert.Throws<InvalidDataException>(() => CsvTable.Parse("a,b,a\n1,2,3\n", "twice.csv"));
        Assert.StartsWith("twice.csv:1: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("'a'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ColumnIndex_UnknownName_ListsTheColumnsAndACaseMatch()
    {
        var table = CsvTable.Parse("Date,Passengers\n1949-01,112\n", "air.csv");
        var e = Assert.Throws<ArgumentException>(() => table.Numbers("passengers"));
        Assert.StartsWith("air.csv: no column 'passengers'; the columns are: Date, Passengers. Did you mean 'Passengers'?", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, table.ColumnIndex("Passengers"));
    }

    [Fact]
    public void ToTensor_NamedColumns_GivesRowsByColumnsInTheOrderNamed()
    {
        var table = CsvTable.Parse("t,x,y\n1,10,100\n2,,200\n3,30,300\n");
        var tensor = table.ToTensor("y", "x");
        Assert.True(tensor.HasShape(3, 2));
        Assert.Equal(100f, tensor.Span[0]);
        Assert.Equal(10f, tensor.Span[1]);
        Assert.Equal(200f, tensor.Span[2]);
        Assert.True(float.IsNaN(tensor.Span[3]));
        Assert.Equal([1f, 10f, 100f, 2f, float.NaN, 200f, 3f, 30f, 300f], table.ToTensor().ToArray());
        Assert.Throws<ArgumentException>(() => table.ToTensor("x", "x"));
    }

    [Fact]
    public void Select_KeepsTheNamedColumnsAndLines()
    {
        var table = CsvTable.Parse("a,b,c\n1,2,3\n\n4,5,6\n").Select("c", "a");
        Assert.Equal(["c", "a"], table.Columns);
        Assert.Equal([3f, 6f], table.Numbers("c"));
        Assert.Equal(4, table.Line(1));
        Assert.Throws<ArgumentException>(() => table.Strings("b"));
    }

    [Fact]
    public void Read_FileAndStream_GiveTheSameTable()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lstmsharp-csv-{Guid.NewGuid():N}.csv");
        const string Text = "month,passengers\r\n1949-01,112\r\n1949-02,118\r\n";
        File.WriteAllText(path, Text);
        try
        {
            var file = CsvTable.Read(path);
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Text));
            var fromStream = CsvTable.Read(stream, "upload");
            Assert.Equal(path, file.Source);
            Assert.Equal("upload", fromStream.Source);
            Assert.Equal(file.Strings("month"), fromStream.Strings("month"));
            Assert.Equal([112f, 118f], file.Numbers("passengers"));
            Assert.Equal(2, file.RowCount);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_MissingFile_NamesIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => CsvTable.Read("no-such-file.csv"));
        Assert.Equal("no-such-file.csv: file not found.", e.Message);
    }

    [Fact]
    public void Read_BundledAirPassengers_FeedsWindows()
    {
        var table = CsvTable.Read(Path.Combine(Repository.Root, "data", "AirPassengers.csv"));
        var series = table.ToTensor(table.Columns[^1]);
        Assert.True(series.HasShape(144, 1));
        Assert.Equal(112f, series.Span[0]);
        var (x, y) = Windows.Create(series, lookback: 12);
        Assert.True(x.HasShape(132, 12, 1) && y.HasShape(132, 1));
    }
}
