namespace FedDistill.Distillation.Evaluation;

/// <summary>How closely a model (usually the student) follows the teacher ensemble on the test set.</summary>
/// <param name="AgreementRate">Fraction of examples on which the two arg-max classes are the same, in [0, 1].</param>
/// <param name="MeanKlDivergence">
/// Mean over examples of KL(ensemble softmax ‖ model softmax) at temperature 1, in nats: 0 when
/// the model reproduces the ensemble's distribution exactly.
/// </param>
public sealed record EnsembleAgreement(double AgreementRate, double MeanKlDivergence);
