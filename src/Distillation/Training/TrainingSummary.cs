namespace FedDistill.Distillation.Training;

/// <summary>What a finished training run did.</summary>
/// <param name="Epochs">Epochs completed.</param>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="FinalLoss">Mean loss of the last epoch.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
/// <param name="SamplesPerSecond">Mean training throughput.</param>
/// <param name="BestValidationAccuracy">The best validation accuracy seen (the weights kept), when validated.</param>
/// <param name="StoppedEarly">True when early stopping or the step budget ended the run.</param>
/// <param name="ResumedFromEpoch">The epoch a checkpoint let the run resume after (0 when it started fresh).</param>
public sealed record TrainingSummary(int Epochs, long Steps, double FinalLoss, TimeSpan Elapsed, double SamplesPerSecond,
    double? BestValidationAccuracy = null, bool StoppedEarly = false, int ResumedFromEpoch = 0);
