using FedDistill.Distillation.Ensembles;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Training;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// One centralized multi-teacher distillation run, as <c>feddistill distill --config</c> reads it
/// from JSON (camelCase keys): the data and its split, the teachers, the student, the loss, the
/// ensemble, the student's trainer, evaluation and output. Bound by
/// <see cref="DistillationConfigLoader"/>, checked by <see cref="DistillationConfigValidator"/>, run by
/// <see cref="CentralizedDistillation"/>. docs/configuration.md documents every key.
/// </summary>
public sealed record DistillationConfig
{
    /// <summary>Which data set, how it is split into public, private and test sets, and how the private pool is partitioned.</summary>
    public DataConfig Data { get; init; } = new();

    /// <summary>The teachers, at least one, each with a unique id; their ensemble on the public set is the student's target.</summary>
    public IReadOnlyList<TeacherConfig> Teachers { get; init; } = [];

    /// <summary>The student to distill; required.</summary>
    public StudentConfig? Student { get; init; }

    /// <summary>The distillation objective of the student.</summary>
    public LossConfig Loss { get; init; } = new();

    /// <summary>
    /// How the teachers' logits are combined. When the JSON leaves out <c>ensemble.temperature</c>
    /// the loader sets it to <see cref="LossConfig.Temperature"/>, as docs/ensembles.md prescribes;
    /// a different value is an error.
    /// </summary>
    public EnsembleOptions Ensemble { get; init; } = new();

    /// <summary>How the student is optimized.</summary>
    public TrainerOptions Trainer { get; init; } = new();

    /// <summary>What the final evaluation measures; speed measurement is on by default.</summary>
    public EvaluationOptions Evaluation { get; init; } = new();

    /// <summary>Where the student and the reports are written.</summary>
    public OutputConfig Output { get; init; } = new();

    /// <summary>
    /// Whether the run normalizes features: <see cref="DataConfig.Normalize"/> when set; otherwise
    /// off when a teacher or the student is TorchScript (made by PyTorch for inputs this run cannot
    /// know, most often pixels in [0, 1]) and on when every model is built here.
    /// </summary>
    public bool NormalizesFeatures() =>
        Data.Normalize ?? !(Student?.TorchScript is not null || Teachers.Any(teacher => teacher.TorchScript is not null));
}
