namespace FedDistill.Distillation.Losses;

/// <summary>A feature-level loss and the weight it is added to the logit loss with.</summary>
public sealed record WeightedFeatureLoss
{
    /// <summary>Pairs <paramref name="loss"/> with a weight ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The weight is negative, infinite or NaN.</exception>
    public WeightedFeatureLoss(IFeatureDistillationLoss loss, double weight = 1.0)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (!(weight >= 0) || double.IsInfinity(weight))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "The weight must be a finite number ≥ 0.");
        Loss = loss;
        Weight = weight;
    }

    /// <summary>The feature loss.</summary>
    public IFeatureDistillationLoss Loss { get; }

    /// <summary>Its weight in the total.</summary>
    public double Weight { get; }
}
