using FedDistill.Distillation.Privacy;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// An ensemble that releases its target through a differentially private mechanism, and may leave
/// some public examples unanswered: after <see cref="IEnsembleAccumulator.Finish"/>, the student
/// must train on <see cref="PateLabels.AnsweredIndices"/> only (the target's other rows are
/// uniform), and the round's privacy cost is <see cref="PateLabels.DataIndependent"/>.
/// </summary>
public interface IPrivateEnsembleAccumulator : IEnsembleAccumulator
{
    /// <summary>The released labels and their cost; <see langword="null"/> until <see cref="IEnsembleAccumulator.Finish"/> has run.</summary>
    PateLabels? Release { get; }
}
