namespace FedDistill.Grains.Aggregator;

/// <summary>A federation's privacy budget; bound from <c>FedDistill:Aggregator:Privacy</c>.</summary>
public sealed class PrivacyOptions
{
    /// <summary>The total ε the federation may spend over all its rounds, or null for no budget (and no privacy guarantee).</summary>
    public double? Epsilon { get; set; }

    /// <summary>
    /// δ in (0, 1) every ε is stated at, for the budget and for each <c>pate-gnmax</c> round's
    /// record; well below 1 / (private records of an organization), e.g. 1e-5.
    /// </summary>
    public double Delta { get; set; } = 1e-5;

    /// <summary>Every problem with these options, each naming <c>AggregatorOptions.Privacy.Property</c>; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Epsilon is { } epsilon && !(epsilon > 0 && double.IsFinite(epsilon)))
            errors.Add($"AggregatorOptions.Privacy.Epsilon is {epsilon}; it must be positive and finite (leave it empty for no budget).");
        if (!(Delta > 0 && Delta < 1)) errors.Add($"AggregatorOptions.Privacy.Delta is {Delta}; it must lie in (0, 1).");
        return errors;
    }
}
