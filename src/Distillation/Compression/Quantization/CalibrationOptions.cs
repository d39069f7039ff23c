using System.Globalization;

namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>How <see cref="ActivationCalibrator"/> measures layer input ranges. Validated by <see cref="Validate"/>.</summary>
/// <param name="BatchSize">Examples per forward pass, at least 1; only memory and speed depend on it.</param>
/// <param name="Percentile">
/// The share of each layer input's values, in percent, inside the range at each end, in (50, 100].
/// 100 (the default, ONNX Runtime's MinMax) keeps the true minimum and maximum; 99.99 clips the
/// 0.01 % most extreme values at each end, so rare outliers do not coarsen the grid for all
/// other values. Below 100 the bounds come from a histogram of <see cref="HistogramBins"/> bins
/// over the true range and are exact to one bin.
/// </param>
/// <param name="MaxExamples">Calibrate on the first this many examples (at least 1), or on all of them when null.</param>
public sealed record CalibrationOptions(int BatchSize = 256, double Percentile = 100, int? MaxExamples = null)
{
    /// <summary>Bins of the histogram a percentile below 100 is read from.</summary>
    public const int HistogramBins = 2048;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first impossible setting.</summary>
    /// <returns>These options.</returns>
    public CalibrationOptions Validate()
    {
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Require(Percentile > 50 && Percentile <= 100, nameof(Percentile), Percentile, "in (50, 100]");
        Require(MaxExamples is null or >= 1, nameof(MaxExamples), MaxExamples ?? 0, "at least 1 when set");
        return this;
    }

    private static void Require(bool condition, string name, object value, string allowed)
    {
        if (!condition)
            throw new ArgumentException($"CalibrationOptions.{name} is {Convert.ToString(value, CultureInfo.InvariantCulture)}; it must be {allowed}.", name);
    }
}
