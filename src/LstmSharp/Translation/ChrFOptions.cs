// ChrFOptions: the character n-gram order, β and the white-space rule of chrF, as an init-only record.
using LstmSharp.Internals;

namespace LstmSharp.Translation;

/// <summary>Settings of <see cref="ChrF"/>; the defaults are sacreBLEU's chrF (chrF2, 6 character orders, no word n-grams).</summary>
public sealed record ChrFOptions
{
    /// <summary>The highest character n-gram order. Default 6.</summary>
    public int CharOrder { get; init; } = 6;

    /// <summary>Recall is β times as important as precision. Default 2.</summary>
    public double Beta { get; init; } = 2;

    /// <summary>Keep white space in the character n-grams (sacreBLEU <c>whitespace=True</c>). Default false: removed.</summary>
    public bool IncludeWhiteSpace { get; init; }

    /// <summary>Checks every field; the message names the field, the value and the allowed range.</summary>
    public void Validate()
    {
        Guard.Option(CharOrder >= 1, nameof(CharOrder), CharOrder, "at least 1");
        Guard.Option(Beta > 0 && double.IsFinite(Beta), nameof(Beta), Beta, "positive and finite");
    }
}
