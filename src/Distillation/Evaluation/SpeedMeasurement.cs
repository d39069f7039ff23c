namespace FedDistill.Distillation.Evaluation;

/// <summary>Inference speed of a model in evaluation mode without autograd, on the device holding its parameters.</summary>
/// <param name="LatencyMilliseconds">Median wall-clock time of one forward pass on a single example, in milliseconds.</param>
/// <param name="ThroughputSamplesPerSecond">Examples per second at <paramref name="ThroughputBatchSize"/>, from the median batch time.</param>
/// <param name="LatencyRuns">Timed single-example passes behind the median.</param>
/// <param name="ThroughputBatchSize">Examples per batch of the throughput measurement.</param>
/// <param name="Device">Where the model ran, e.g. <c>cpu</c> or <c>cuda:0</c>.</param>
/// <param name="Threads">libtorch's intra-op threads during the measurement (timings depend on it).</param>
public sealed record SpeedMeasurement(
    double LatencyMilliseconds,
    double ThroughputSamplesPerSecond,
    int LatencyRuns,
    int ThroughputBatchSize,
    string Device,
    int Threads);
