// TrialStatus: whether a trial ran to the end.
namespace LstmSharp.Tuning;

/// <summary>Outcome of a trial.</summary>
public enum TrialStatus
{
    /// <summary>Every fold gave a finite score.</summary>
    Ok,
    /// <summary>A fold threw, diverged (NaN or infinite loss) or gave a non-finite score; <see cref="Trial.Error"/> says which.</summary>
    Failed,
}
