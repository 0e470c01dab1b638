// CliCsv: the library's CsvTable as the commands read it — the file checked first (CliFiles), and a column the file
// lacks reported with the flag that named it.
using LstmSharp.Data;

namespace LstmSharp.Cli;

internal static class CliCsv
{
    /// <summary>Reads <paramref name="path"/>: a header row, then at least one data row.</summary>
    public static CsvTable Read(string path)
    {
        CliFiles.CheckInput(path);
        return CsvTable.Read(path);
    }

    /// <summary>The index of column <paramref name="name"/>, given by <paramref name="option"/>; an unknown name lists the columns there are.</summary>
    public static int Column(CsvTable table, string name, string option)
    {
        try
        {
            return table.ColumnIndex(name);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{option}: {CliErrors.Message(e)}");
        }
    }

    /// <summary>Column <paramref name="name"/> (given by <paramref name="option"/>) as text.</summary>
    public static string[] Strings(CsvTable table, string name, string option)
    {
        Column(table, name, option);
        return table.Strings(name);
    }
}
