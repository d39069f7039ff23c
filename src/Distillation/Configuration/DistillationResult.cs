using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Training;

namespace FedDistill.Distillation.Configuration;

/// <summary>What a <see cref="CentralizedDistillation"/> run produced and measured.</summary>
/// <param name="Student">The student's evaluation on the test set, with its agreement with the teachers' ensemble and its comparison against each teacher; this is <c>report.json</c>.</param>
/// <param name="Teachers">Each teacher's evaluation on the test set, in configuration order, named by teacher id.</param>
/// <param name="Ensemble">The teachers' ensemble (the configured strategy applied to their test-set logits) evaluated on the test set; no parameters, size or speed.</param>
/// <param name="StudentTraining">How the student's training went.</param>
/// <param name="Files">Full paths of the files written: the student (<c>student.safetensors</c> or <c>student.pt</c>), <c>report.json</c>, <c>report.txt</c>.</param>
/// <param name="Elapsed">Wall-clock time of the whole run.</param>
public sealed record DistillationResult(
    EvaluationReport Student,
    IReadOnlyList<EvaluationReport> Teachers,
    EvaluationReport Ensemble,
    TrainingSummary StudentTraining,
    IReadOnlyList<string> Files,
    TimeSpan Elapsed)
{
    /// <summary>
    /// A summary table of every teacher, the ensemble and the student (test accuracy, parameters,
    /// latency), followed by the student's full report table: the text of <c>report.txt</c>.
    /// </summary>
    public string ToTable() => DistillationResultTable.Render(this);
}
