namespace FedDistill.Distillation.Training;

/// <summary>A progress report from a <see cref="Trainer"/>, raised after every step and at each epoch's end.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps in one epoch.</param>
/// <param name="Loss">Mean training loss of the epoch so far.</param>
/// <param name="LearningRate">The learning rate of the last step.</param>
/// <param name="SamplesPerSecond">Training throughput of the epoch so far.</param>
/// <param name="EpochCompleted">True on the report that closes an epoch.</param>
/// <param name="ValidationAccuracy">On an epoch's closing report, the validation accuracy when validation data was given.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss, double LearningRate,
    double SamplesPerSecond, bool EpochCompleted, double? ValidationAccuracy = null);
