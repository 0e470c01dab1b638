// Fold: one split of the samples into a training part and a validation part, as sample indices.
namespace LstmSharp.Tuning;

/// <summary>
/// One cross-validation split: the indices of the samples to train on and of those to validate on, each in
/// ascending order. The two never share an index.
/// </summary>
/// <param name="Train">Indices of the training samples, ascending.</param>
/// <param name="Validation">Indices of the validation samples, ascending.</param>
public readonly record struct Fold(int[] Train, int[] Validation);
