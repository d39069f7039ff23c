namespace FedDistill.Distillation.Data;

/// <summary>
/// Per-feature standardization, <c>(x − mean) / standard deviation</c> for each feature
/// position, with statistics fitted on one dataset and applied to others (scikit-learn's
/// StandardScaler). Suited to tables such as <see cref="BreastCancerWisconsin"/>, whose features
/// differ in scale by orders of magnitude.
/// </summary>
/// <param name="Mean">The mean of each feature position over the fitted dataset.</param>
/// <param name="StandardDeviation">
/// The population standard deviation (divisor n) of each feature position, or 1 where the
/// feature is constant, so that a constant feature is centred to 0 rather than divided by zero.
/// </param>
public sealed record FeatureStandardization(IReadOnlyList<float> Mean, IReadOnlyList<float> StandardDeviation)
    : IFeatureTransform
{
    /// <summary>
    /// Relative size below which a standard deviation counts as zero: a feature whose values are all
    /// equal can show rounding noise of about this much times its mean, and dividing by that noise
    /// would blow it up.
    /// </summary>
    public const double ConstantTolerance = 1e-6;

    /// <summary>Fits the statistics on <paramref name="dataset"/>, accumulating in double precision.</summary>
    /// <exception cref="ArgumentException">The dataset is empty.</exception>
    public static FeatureStandardization Fit(Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Count == 0)
        {
            throw new ArgumentException("Cannot fit a standardization on an empty dataset.", nameof(dataset));
        }

        int length = dataset.FeatureLength;
        ReadOnlySpan<float> features = dataset.Features.Span;
        var sums = new double[length];
        for (int offset = 0; offset < features.Length; offset += length)
        {
            for (int j = 0; j < length; j++)
            {
                sums[j] += features[offset + j];
            }
        }

        var means = new double[length];
        for (int j = 0; j < length; j++)
        {
            means[j] = sums[j] / dataset.Count;
        }

        // Two passes (mean, then squared deviations) avoid the cancellation of E[x²] − E[x]².
        var squares = new double[length];
        for (int offset = 0; offset < features.Length; offset += length)
        {
            for (int j = 0; j < length; j++)
            {
                double deviation = features[offset + j] - means[j];
                squares[j] += deviation * deviation;
            }
        }

        var mean = new float[length];
        var standardDeviation = new float[length];
        for (int j = 0; j < length; j++)
        {
            double deviation = Math.Sqrt(squares[j] / dataset.Count);
            mean[j] = (float)means[j];
            standardDeviation[j] = IsConstant(deviation, means[j]) ? 1f : (float)deviation;
        }

        return new FeatureStandardization(Array.AsReadOnly(mean), Array.AsReadOnly(standardDeviation));
    }

    /// <summary>Number of feature positions the statistics were fitted for.</summary>
    public int FeatureLength => Mean.Count;

    /// <inheritdoc />
    public Dataset Apply(Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.FeatureLength != FeatureLength)
        {
            throw new ArgumentException(
                $"The standardization was fitted on {FeatureLength} features per example; this dataset has {dataset.FeatureLength}.",
                nameof(dataset));
        }

        float[] features = dataset.Features.ToArray();
        ApplyInPlace(features);
        return dataset.WithFeatures(features);
    }

    /// <inheritdoc />
    public void ApplyInPlace(Span<float> features)
    {
        if (Mean.Count != StandardDeviation.Count)
        {
            throw new InvalidOperationException(
                $"The standardization has {Mean.Count} means but {StandardDeviation.Count} standard deviations.");
        }

        int length = FeatureLength;
        if (length == 0 || features.Length % length != 0)
        {
            throw new ArgumentException(
                $"{features.Length} values are not a whole number of examples of {length} features.", nameof(features));
        }

        var mean = Mean.ToArray();
        var standardDeviation = StandardDeviation.ToArray();
        for (int offset = 0; offset < features.Length; offset += length)
        {
            Span<float> example = features.Slice(offset, length);
            for (int j = 0; j < length; j++)
            {
                example[j] = (example[j] - mean[j]) / standardDeviation[j];
            }
        }
    }

    /// <summary>Whether a fitted standard deviation is indistinguishable from zero.</summary>
    internal static bool IsConstant(double standardDeviation, double mean) =>
        standardDeviation == 0.0 || standardDeviation <= ConstantTolerance * Math.Abs(mean);
}
