namespace FedDistill.Client.Compression;

/// <summary>The normalization <c>(x − Mean) / StandardDeviation</c> applied to every pixel (in [0, 1]) before the student sees it.</summary>
/// <param name="Mean">The mean subtracted.</param>
/// <param name="StandardDeviation">The standard deviation divided by.</param>
/// <param name="FittedOn">Where the constants come from, in words.</param>
public sealed record NormalizationSummary(float Mean, float StandardDeviation, string FittedOn);
