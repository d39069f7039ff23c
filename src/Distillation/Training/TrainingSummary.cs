namespace FedDistill.Distillation.Training;

/// <summary>What a finished training run did.</summary>
/// <param name="Epochs">Epochs completed.</param>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="FinalLoss">Mean loss of the last epoch.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
/// <param name="SamplesPerSecond">Mean training throughput.</param>
public sealed record TrainingSummary(int Epochs, long Steps, double FinalLoss, TimeSpan Elapsed, double SamplesPerSecond);
