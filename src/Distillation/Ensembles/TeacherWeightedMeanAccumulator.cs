using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// Σ_k w_k · x_k / Σ_k w_k with one scalar weight per teacher, folded into one running [N, C] sum,
/// so memory does not grow with the number of teachers. x_k is the teacher's logits or a
/// transform of them (<see cref="Transform"/>); the means and the teacher-weighted strategies
/// override only what differs.
/// </summary>
internal abstract class TeacherWeightedMeanAccumulator : EnsembleAccumulator, ISummableAccumulator
{
    private readonly List<KeyValuePair<string, double>> _weights = new();
    private Tensor? _weightedSum;
    private double _totalWeight;

    protected TeacherWeightedMeanAccumulator(int examples, int classes)
        : base(examples, classes)
    {
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double>? TeacherWeights =>
        _weights.ToDictionary(pair => pair.Key, pair => _totalWeight > 0.0 ? pair.Value / _totalWeight : 0.0, StringComparer.Ordinal);

    /// <summary>
    /// The teacher's unnormalized weight, non-negative and finite. Must depend only on the
    /// contribution (it is asked twice) and throw <see cref="ArgumentException"/> naming the
    /// teacher when the contribution lacks what it needs.
    /// </summary>
    protected abstract double WeightOf(TeacherContribution contribution);

    /// <summary>
    /// What is averaged: the logits themselves unless overridden (e.g. softened probabilities).
    /// Must not write into <paramref name="logits"/>, which may share the caller's storage.
    /// </summary>
    protected virtual Tensor Transform(Tensor logits) => logits;

    /// <summary>
    /// Turns the weighted mean of <see cref="Transform"/>'s output into ensemble logits; identity
    /// unless overridden. <paramref name="weightedMean"/> is a fresh tensor the override may
    /// overwrite in place, or return.
    /// </summary>
    protected virtual Tensor Complete(Tensor weightedMean) => weightedMean;

    protected sealed override void ValidateContribution(TeacherContribution contribution)
    {
        var weight = WeightOf(contribution);
        if (!(weight >= 0.0) || double.IsPositiveInfinity(weight))
            throw new ArgumentException($"Teacher '{contribution.TeacherId}' has weight {weight}; weights must be non-negative and finite.", nameof(contribution));
    }

    protected sealed override void Accumulate(TeacherContribution contribution, Tensor logits)
    {
        var weight = WeightOf(contribution);
        _weightedSum ??= RetainZeros(Examples, Classes);
        // In place, scaled by the weight in the same kernel: no [N, C] temporary beyond Transform's.
        _weightedSum.add_(Transform(logits), weight);
        _totalWeight += weight;
        _weights.Add(new(contribution.TeacherId, weight));
    }

    /// <inheritdoc />
    /// <remarks>Layout: Σ w_k · Transform(z_k) (N × C, row-major), Σ w_k, the teacher count.</remarks>
    public int SumLength => Examples * Classes + 2;

    /// <inheritdoc />
    public float[] ExportSums()
    {
        RequireExportable();
        var sums = new float[SumLength];
        CopyOut(_weightedSum!, sums, 0);
        sums[^2] = (float)_totalWeight;
        sums[^1] = TeacherCount;
        return sums;
    }

    /// <inheritdoc />
    public void ImportSums(ReadOnlySpan<double> sums)
    {
        AdoptSums(sums, SumLength);
        _weightedSum = RetainFrom(sums[..(Examples * Classes)], Examples, Classes);
        _totalWeight = sums[^2];
    }

    protected sealed override Tensor Combine()
    {
        if (!(_totalWeight > 0.0))
            throw new InvalidOperationException($"Every teacher's weight is zero ({string.Join(", ", _weights.Select(pair => pair.Key))}); the weighted mean is undefined.");
        return Complete(_weightedSum! / _totalWeight);
    }
}
