namespace FedDistill.Distillation.Evaluation;

/// <summary>
/// What <see cref="ModelEvaluator"/> measures and how. Timing is optional because it costs
/// seconds and varies from run to run; tests and quick checks turn it off.
/// </summary>
public sealed record EvaluationOptions
{
    /// <summary>k of the top-k accuracy (at least 1; clamped to the class count). Default 5.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>Equal-width confidence bins of the expected calibration error (at least 1). Default 15, the usual choice.</summary>
    public int CalibrationBins { get; init; } = 15;

    /// <summary>Examples per forward pass when predicting the test set (at least 1).</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>Whether to measure the safetensors size of the state dict (cheap: nothing is written to disk).</summary>
    public bool MeasureSize { get; init; } = true;

    /// <summary>Whether to time latency and throughput.</summary>
    public bool MeasureSpeed { get; init; } = true;

    /// <summary>Untimed forward passes before each timing, so allocator and kernel caches are warm (at least 0).</summary>
    public int WarmupRuns { get; init; } = 5;

    /// <summary>Timed single-example forward passes; the latency is their median (at least 1).</summary>
    public int LatencyRuns { get; init; } = 50;

    /// <summary>Examples per forward pass for the throughput (at least 1); test examples repeat if the set is smaller.</summary>
    public int ThroughputBatchSize { get; init; } = 256;

    /// <summary>Timed batched forward passes; the throughput uses their median (at least 1).</summary>
    public int ThroughputRuns { get; init; } = 10;

    /// <summary>Every invalid setting, named as <c>EvaluationOptions.Property</c>; empty when all are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void AtLeast(string name, int value, int minimum)
        {
            if (value < minimum) errors.Add($"EvaluationOptions.{name} is {value}; it must be at least {minimum}.");
        }
        AtLeast(nameof(TopK), TopK, 1);
        AtLeast(nameof(CalibrationBins), CalibrationBins, 1);
        AtLeast(nameof(BatchSize), BatchSize, 1);
        AtLeast(nameof(WarmupRuns), WarmupRuns, 0);
        AtLeast(nameof(LatencyRuns), LatencyRuns, 1);
        AtLeast(nameof(ThroughputBatchSize), ThroughputBatchSize, 1);
        AtLeast(nameof(ThroughputRuns), ThroughputRuns, 1);
        return errors;
    }
}
