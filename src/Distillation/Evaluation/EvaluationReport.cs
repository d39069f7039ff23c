using System.Text.Json;

namespace FedDistill.Distillation.Evaluation;

/// <summary>
/// Everything <see cref="ModelEvaluator"/> measured about one model on one labeled test set:
/// accuracy in several forms, calibration, agreement with the teacher ensemble, size and speed,
/// and comparisons against teachers. Serializes to camelCase JSON and renders as a text table.
/// </summary>
/// <remarks>Fractions (accuracies, rates, calibration error) lie in [0, 1]; nothing is a percentage.</remarks>
public sealed record EvaluationReport
{
    /// <summary>The model's name in reports and comparisons, e.g. <c>student</c> or <c>teacher-0</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Test examples evaluated.</summary>
    public required int ExampleCount { get; init; }

    /// <summary>Number of classes (the logits' width).</summary>
    public required int ClassCount { get; init; }

    /// <summary>Fraction of examples whose arg-max logit is the label.</summary>
    public required double Accuracy { get; init; }

    /// <summary>The k of <see cref="TopKAccuracy"/> actually used (the requested k, at most <see cref="ClassCount"/>).</summary>
    public required int TopK { get; init; }

    /// <summary>
    /// Fraction of examples whose label is among the k highest logits: fewer than k classes score
    /// strictly higher than the label (ties count in the label's favour).
    /// </summary>
    public required double TopKAccuracy { get; init; }

    /// <summary>Accuracy (recall) of each class, indexed by class.</summary>
    public required IReadOnlyList<ClassAccuracy> PerClass { get; init; }

    /// <summary>Counts [true class][predicted class]: row i is how examples of class i were classified.</summary>
    public required int[][] ConfusionMatrix { get; init; }

    /// <summary>
    /// Expected calibration error (Guo et al. 2017): Σ over equal-width confidence bins of
    /// (examples in bin / all examples) · |bin accuracy − bin mean confidence|, confidence being the
    /// top softmax probability. 0 for a perfectly calibrated model.
    /// </summary>
    public required double ExpectedCalibrationError { get; init; }

    /// <summary>The bins behind <see cref="ExpectedCalibrationError"/>, lowest confidence first.</summary>
    public required IReadOnlyList<CalibrationBin> CalibrationBins { get; init; }

    /// <summary>Agreement with the teacher ensemble, or null when no ensemble logits were given.</summary>
    public EnsembleAgreement? EnsembleAgreement { get; init; }

    /// <summary>Trainable parameter elements, or null when evaluated from logits alone.</summary>
    public long? ParameterCount { get; init; }

    /// <summary>Bytes of the state dict (parameters and buffers) as a safetensors file, or null when not measured.</summary>
    public long? SizeOnDiskBytes { get; init; }

    /// <summary>Latency and throughput, or null when not measured.</summary>
    public SpeedMeasurement? Speed { get; init; }

    /// <summary>This model against each teacher report it was compared with; empty when none.</summary>
    public IReadOnlyList<TeacherComparison> Comparisons { get; init; } = [];

    /// <summary>The report as indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, EvaluationJsonContext.Default.EvaluationReport);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not a report.</exception>
    public static EvaluationReport FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize(json, EvaluationJsonContext.Default.EvaluationReport)
            ?? throw new JsonException("The JSON text holds null, not an evaluation report.");
    }

    /// <summary>The report as a fixed-width text table for consoles and logs (invariant culture).</summary>
    public string ToTable() => EvaluationReportTable.Render(this);
}
