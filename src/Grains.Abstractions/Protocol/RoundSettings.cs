namespace FedDistill.Grains.Protocol;

/// <summary>What an operator chooses when starting a round.</summary>
/// <remarks>
/// A round with <see cref="FineTuneEpochs"/> &gt; 0 after an earlier completed round is a
/// co-distillation round (FedMD's digest and revisit): each participant first fits its teachers
/// to the previous round's consensus on the public set, then revisits its private data, then
/// uploads fresh logits. With 0 (or as the first round) it is one-shot ensemble distillation.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed record RoundSettings
{
    /// <summary>Ensemble strategy over the uploaded teachers (one of <see cref="AllowedStrategies"/>).</summary>
    [Id(0)]
    public string Strategy { get; init; } = "per-class-weighted";

    /// <summary>Distillation temperature T &gt; 0, also the ensemble's softening temperature.</summary>
    [Id(1)]
    public double Temperature { get; init; } = 4.0;

    /// <summary>Uploads needed (at least 1) for the round to distill once the deadline passes.</summary>
    [Id(2)]
    public int Quorum { get; init; } = 1;

    /// <summary>Seconds (1 to 86,400) from opening until uploads close.</summary>
    [Id(3)]
    public int DeadlineSeconds { get; init; } = 600;

    /// <summary>Student training epochs over the public set (1 to 1,000).</summary>
    [Id(4)]
    public int StudentEpochs { get; init; } = 4;

    /// <summary>Student peak learning rate (Adam, cosine schedule).</summary>
    [Id(5)]
    public double StudentLearningRate { get; init; } = 2e-3;

    /// <summary>Participants' digest epochs on the previous consensus before uploading (0 to 100; 0 = one-shot).</summary>
    [Id(6)]
    public int FineTuneEpochs { get; init; }

    /// <summary>Participants' revisit epochs on private data after the digest (0 to 100).</summary>
    [Id(7)]
    public int RevisitEpochs { get; init; } = 1;

    /// <summary>Upload dtype participants use: <c>float32</c>, or <c>float16</c> to halve the bytes.</summary>
    [Id(8)]
    public string LogitsDType { get; init; } = "float16";

    /// <summary>
    /// Weight w in [0, 1) of the previous round's distillation target in this round's: the student
    /// learns from (1 - w) × this round's ensemble + w × the last round's target, an exponential
    /// moving average of the ensembles over rounds. It damps the round-to-round noise of freshly
    /// fine-tuned teachers; 0 distills from this round's ensemble alone, and the first round
    /// always does. Participants digest the round's own ensemble either way.
    /// </summary>
    [Id(9)]
    public double TargetHistoryWeight { get; init; }

    /// <summary>
    /// GNMax noise σ &gt; 0 in votes, for <c>pate-gnmax</c> rounds: added to every vote count
    /// before the argmax. With N public examples a round costs at most N GNMax queries of Rényi-DP
    /// λ/σ² each (plus the threshold checks); see docs/privacy.md.
    /// </summary>
    [Id(10)]
    public double NoiseSigma { get; init; } = 40.0;

    /// <summary>Confident-GNMax threshold in votes for <c>pate-gnmax</c> rounds; 0 (the default) answers every public example.</summary>
    [Id(11)]
    public double Threshold { get; init; }

    /// <summary>Noise σ₁ &gt; 0 in votes of the threshold check; read only when <see cref="Threshold"/> &gt; 0.</summary>
    [Id(12)]
    public double ThresholdSigma { get; init; } = 150.0;

    /// <summary>The strategy whose release is differentially private (PATE): the only one a federation with a privacy budget runs.</summary>
    public const string PrivateStrategy = "pate-gnmax";

    /// <summary>True when the round's strategy is <see cref="PrivateStrategy"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsPrivate => string.Equals(Strategy?.Trim(), PrivateStrategy, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Secure summation: organizations mask their uploads with pairwise masks from key agreement
    /// bound to their federation certificates, so the aggregator learns only the sum over them.
    /// Only <see cref="SummableStrategies"/> can run this way; the aggregator refuses the others
    /// (<c>strategy-not-summable</c>). Up to Quorum − t organizations (t = max(2, Quorum)) may drop
    /// out after sharing their keys.
    /// </summary>
    [Id(13)]
    public bool SecureSummation { get; init; }

    /// <summary>
    /// The ensemble strategies a round may name: the distillation engine's own list, repeated here
    /// because the contracts do not reference the engine (a test keeps the two equal).
    /// </summary>
    public static IReadOnlyList<string> AllowedStrategies { get; } =
        ["mean-logits", "mean-probabilities", "fixed-weights", "accuracy-weighted", "per-class-weighted", "entropy-weighted", "ds-fl", "majority-vote", "median", "trimmed-mean", PrivateStrategy];

    /// <summary>
    /// The strategies computable from sums over organizations, which secure summation can run: the
    /// engine's list (<c>SummableStrategies.Names</c>), repeated here for the same reason as
    /// <see cref="AllowedStrategies"/> (a test keeps the two equal).
    /// </summary>
    public static IReadOnlyList<string> SummableStrategies { get; } =
        ["mean-logits", "mean-probabilities", "fixed-weights", "accuracy-weighted", "per-class-weighted", "entropy-weighted", "ds-fl", "majority-vote"];

    /// <summary>The allowed <see cref="LogitsDType"/> values.</summary>
    public static IReadOnlyList<string> AllowedLogitsDTypes { get; } = ["float32", "float16"];

    /// <summary>Every problem with these settings, each naming the property and what is allowed; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!AllowedStrategies.Contains(Strategy ?? string.Empty, StringComparer.OrdinalIgnoreCase))
            errors.Add($"RoundSettings.Strategy is '{Strategy}'; allowed: {string.Join(", ", AllowedStrategies)}.");
        if (!(Temperature > 0 && double.IsFinite(Temperature)))
            errors.Add($"RoundSettings.Temperature is {Temperature}; it must be positive and finite.");
        if (Quorum < 1) errors.Add($"RoundSettings.Quorum is {Quorum}; it must be at least 1.");
        if (DeadlineSeconds is < 1 or > 86_400) errors.Add($"RoundSettings.DeadlineSeconds is {DeadlineSeconds}; it must be in [1, 86400].");
        if (StudentEpochs is < 1 or > 1000) errors.Add($"RoundSettings.StudentEpochs is {StudentEpochs}; it must be in [1, 1000].");
        if (!(StudentLearningRate > 0 && double.IsFinite(StudentLearningRate)))
            errors.Add($"RoundSettings.StudentLearningRate is {StudentLearningRate}; it must be positive and finite.");
        if (FineTuneEpochs is < 0 or > 100) errors.Add($"RoundSettings.FineTuneEpochs is {FineTuneEpochs}; it must be in [0, 100].");
        if (RevisitEpochs is < 0 or > 100) errors.Add($"RoundSettings.RevisitEpochs is {RevisitEpochs}; it must be in [0, 100].");
        if (!(TargetHistoryWeight is >= 0 and < 1))
            errors.Add($"RoundSettings.TargetHistoryWeight is {TargetHistoryWeight}; it must be in [0, 1).");
        if (!AllowedLogitsDTypes.Contains(LogitsDType ?? string.Empty))
            errors.Add($"RoundSettings.LogitsDType is '{LogitsDType}'; allowed: {string.Join(", ", AllowedLogitsDTypes)}.");
        if (IsPrivate)
        {
            if (!(NoiseSigma > 0 && double.IsFinite(NoiseSigma))) errors.Add($"RoundSettings.NoiseSigma is {NoiseSigma}; it must be positive and finite.");
            if (!(Threshold >= 0 && double.IsFinite(Threshold))) errors.Add($"RoundSettings.Threshold is {Threshold}; it must be finite and non-negative (0: no threshold check).");
            if (Threshold > 0 && !(ThresholdSigma > 0 && double.IsFinite(ThresholdSigma)))
                errors.Add($"RoundSettings.ThresholdSigma is {ThresholdSigma}; it must be positive and finite when a threshold is set.");
        }

        return errors;
    }
}
