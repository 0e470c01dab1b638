// Repository: where the checkout is, found from the test binaries upwards by the solution file.
namespace LstmSharp.Tests;

internal static class Repository
{
    /// <summary>The folder holding LstmSharp.slnx (README.md, data/, src/).</summary>
    public static string Root { get; } = Find();

    static string Find()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "LstmSharp.slnx"))) root = Path.GetDirectoryName(root) ?? throw new DirectoryNotFoundException("repository root");
        return root;
    }
}
