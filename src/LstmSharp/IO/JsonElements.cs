// JsonElements: reading the JSON of model files with errors that name what is missing, where JsonElement's own
// GetProperty says only "The given key was not present in the dictionary".
using System.Text.Json;

namespace LstmSharp.IO;

internal static class JsonElements
{
    /// <summary>The property <paramref name="name"/> of an object.</summary>
    /// <exception cref="FormatException">The element is not an object, or lacks the property.</exception>
    public static JsonElement Required(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new FormatException($"expected an object with \"{name}\"; found {e.ValueKind.ToString().ToLowerInvariant()}");
        return e.TryGetProperty(name, out var value) ? value : throw new FormatException($"\"{name}\" is missing");
    }

    /// <summary>The longest layer, input or output name accepted (names end up in messages and tables).</summary>
    public const int MaxNameLength = 256;

    /// <summary>The string property "name": present, not null and at most <see cref="MaxNameLength"/> characters.</summary>
    /// <exception cref="FormatException">It is missing, not a string, or too long.</exception>
    public static string Name(this JsonElement e)
    {
        var name = e.Required("name").GetString() ?? throw new FormatException("a name is null");
        return name.Length <= MaxNameLength ? name : throw new FormatException($"a name is {name.Length} characters long (limit {MaxNameLength}): '{SafeTensors.Excerpt(name)}'");
    }
}
