using FedDistill.Distillation.Losses;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// The <c>loss</c> section: how the student learns from the teachers' ensemble on the unlabeled
/// public set. The kind-specific settings are null unless given, and giving one to a kind that does
/// not read it is an error rather than silently ignored.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>kd</c>: Hinton's T²·KL(softmax(t/T) ‖ softmax(s/T)) against the ensemble (the public set has no labels, so only the soft term).</item>
/// <item><c>dkd</c>: decoupled KD, α·TCKD + β·NCKD, with the ensemble's arg-max as the target class.</item>
/// <item><c>rkd</c>: relational KD on the logits, w_d·distance + w_a·angle.</item>
/// <item><c>hard-labels</c>: cross entropy on the ensemble's arg-max (pseudo-labels), optionally label-smoothed.</item>
/// </list>
/// </remarks>
public sealed record LossConfig
{
    /// <summary>The default <see cref="Temperature"/>.</summary>
    public const double DefaultTemperature = 4.0;

    /// <summary>The loss: one of <see cref="Kinds"/>.</summary>
    public string Kind { get; init; } = "kd";

    /// <summary>Softening temperature T &gt; 0 of <c>kd</c> and <c>dkd</c>, and of the probability-combining ensembles.</summary>
    public double Temperature { get; init; } = DefaultTemperature;

    /// <summary><c>dkd</c> only: α ≥ 0, the weight of the target-class term; 1 when null.</summary>
    public double? Alpha { get; init; }

    /// <summary><c>dkd</c> only: β ≥ 0, the weight of the non-target-class term; 8 when null.</summary>
    public double? Beta { get; init; }

    /// <summary><c>rkd</c> only: w_d ≥ 0, the distance-wise weight; 25 when null.</summary>
    public double? DistanceWeight { get; init; }

    /// <summary><c>rkd</c> only: w_a ≥ 0, the angle-wise weight; 50 when null.</summary>
    public double? AngleWeight { get; init; }

    /// <summary><c>hard-labels</c> only: label smoothing ε in [0, 1); 0 when null.</summary>
    public double? LabelSmoothing { get; init; }

    /// <summary>The loss kinds <see cref="Kind"/> accepts.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["kd", "dkd", "rkd", "hard-labels"];

    /// <summary>Whether the student trains on the ensemble's arg-max labels (<c>dkd</c>, <c>hard-labels</c>).</summary>
    internal bool NeedsPseudoLabels => Kind is "dkd" or "hard-labels";

    /// <summary>Builds the loss; the caller disposes it when it is <see cref="IDisposable"/>.</summary>
    internal IDistillationLoss Create() => Kind switch
    {
        "kd" => new KnowledgeDistillationLoss(Temperature, alpha: 1.0),
        "dkd" => new DecoupledKnowledgeDistillationLoss(Temperature, Alpha ?? 1.0, Beta ?? 8.0),
        "rkd" => new RelationalKnowledgeDistillationLoss(DistanceWeight ?? 25.0, AngleWeight ?? 50.0),
        "hard-labels" => new CrossEntropyLoss(LabelSmoothing ?? 0.0),
        _ => throw new InvalidOperationException($"Loss kind '{Kind}' passed validation but has no builder."),
    };

    /// <summary>A short description for stage messages, e.g. <c>kd (T = 4)</c>.</summary>
    internal string Describe() => Kind switch
    {
        "kd" => FormattableString.Invariant($"kd (T = {Temperature})"),
        "dkd" => FormattableString.Invariant($"dkd (T = {Temperature}, α = {Alpha ?? 1.0}, β = {Beta ?? 8.0})"),
        "rkd" => FormattableString.Invariant($"rkd (w_d = {DistanceWeight ?? 25.0}, w_a = {AngleWeight ?? 50.0})"),
        _ => FormattableString.Invariant($"hard-labels (ε = {LabelSmoothing ?? 0.0})"),
    };
}
