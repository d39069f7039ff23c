using System.Globalization;

namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>How <see cref="QuantizationAwareTraining"/> observes activation ranges. Validated by <see cref="Validate"/>.</summary>
/// <param name="AveragingConstant">
/// The fraction c in (0, 1] by which each training batch moves a layer's observed range toward
/// its own minimum and maximum: <c>min ← min + c·(batch min − min)</c>. 0.01 (PyTorch's default)
/// averages over about a hundred steps; 1 keeps only the last batch.
/// </param>
public sealed record QuantizationAwareTrainingOptions(double AveragingConstant = 0.01)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first impossible setting.</summary>
    /// <returns>These options.</returns>
    public QuantizationAwareTrainingOptions Validate()
    {
        if (!(AveragingConstant > 0 && AveragingConstant <= 1))
            throw new ArgumentException(
                $"QuantizationAwareTrainingOptions.AveragingConstant is {AveragingConstant.ToString(CultureInfo.InvariantCulture)}; it must be in (0, 1].",
                nameof(AveragingConstant));
        return this;
    }
}
