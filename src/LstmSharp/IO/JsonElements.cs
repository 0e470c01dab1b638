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

    /// <summary>The string property "name": present, not null, at most <see cref="MaxNameLength"/> characters and without control characters.</summary>
    /// <exception cref="FormatException">It is missing, not a string, too long, or holds a control character (which would reach terminals through summaries).</exception>
    public static string Name(this JsonElement e)
    {
        var name = e.Required("name").GetString() ?? throw new FormatException("a name is null");
        if (name.Length > MaxNameLength) throw new FormatException($"a name is {name.Length} characters long (limit {MaxNameLength}): '{SafeTensors.Excerpt(name)}'");
        var control = name.AsSpan().IndexOfAnyInRange('\u0000', '\u001F');
        if (control < 0) control = name.AsSpan().IndexOfAnyInRange('\u007F', '\u009F');
        return control < 0 ? name : throw new FormatException($"a name holds the control character U+{(int)name[control]:X4} at {control}");
    }
}
