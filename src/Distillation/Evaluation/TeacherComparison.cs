namespace FedDistill.Distillation.Evaluation;

/// <summary>
/// A model (usually the student) against one teacher: how much smaller and faster it is and
/// how much accuracy that costs. Ratios above 1 favour the model.
/// </summary>
/// <param name="Teacher">The teacher report's name.</param>
/// <param name="CompressionRatio">Teacher parameters / model parameters, or null when either count is unknown.</param>
/// <param name="LatencySpeedup">Teacher latency / model latency at batch 1, or null unless both were timed.</param>
/// <param name="ThroughputRatio">Model throughput / teacher throughput, or null unless both were timed.</param>
/// <param name="AccuracyDifference">Model accuracy − teacher accuracy (negative when the model is worse).</param>
public sealed record TeacherComparison(
    string Teacher,
    double? CompressionRatio,
    double? LatencySpeedup,
    double? ThroughputRatio,
    double AccuracyDifference);
