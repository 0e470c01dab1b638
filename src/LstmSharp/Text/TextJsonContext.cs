// TextJsonContext: source-generated JSON for the small lists the text models store in metadata (NativeAOT-safe).
using System.Text.Json.Serialization;

namespace LstmSharp.Text;

[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class TextJsonContext : JsonSerializerContext;
