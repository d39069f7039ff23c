namespace FedDistill.Distillation.Evaluation;

/// <summary>
/// One confidence bin of the expected calibration error: the examples whose top softmax
/// probability lies in (<see cref="Lower"/>, <see cref="Upper"/>] (a reliability-diagram bar).
/// </summary>
/// <param name="Lower">Exclusive lower edge of the bin, in [0, 1).</param>
/// <param name="Upper">Inclusive upper edge of the bin, in (0, 1].</param>
/// <param name="Count">Examples in the bin.</param>
/// <param name="MeanConfidence">Their mean top probability, or null for an empty bin.</param>
/// <param name="Accuracy">The fraction of them predicted correctly, or null for an empty bin.</param>
public sealed record CalibrationBin(double Lower, double Upper, int Count, double? MeanConfidence, double? Accuracy);
