using FedDistill.Distillation.Training;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// Runs one model's training on behalf of <see cref="CentralizedDistillation"/>, so a host can
/// wrap it with a display: call <paramref name="train"/> once with a progress sink and return its
/// summary. A console passes its progress-bar renderer; the default calls it with a sink that drops reports.
/// </summary>
/// <param name="model">The model being trained: a teacher's id, or <c>student</c>.</param>
/// <param name="train">The training itself; it reports after every step and returns when done.</param>
/// <returns>What <paramref name="train"/> returned.</returns>
public delegate TrainingSummary TrainingHost(string model, Func<IProgress<TrainingProgress>, TrainingSummary> train);
