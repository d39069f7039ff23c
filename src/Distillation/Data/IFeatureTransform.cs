namespace FedDistill.Distillation.Data;

/// <summary>
/// A feature transform fitted once (on the training or private data) and then applied unchanged
/// to every other set, so the public and test sets are scaled exactly as the model saw in training.
/// </summary>
public interface IFeatureTransform
{
    /// <summary>A new dataset with transformed features and the same shape, labels and classes.</summary>
    /// <exception cref="ArgumentException">The dataset does not match the fitted feature layout.</exception>
    Dataset Apply(Dataset dataset);

    /// <summary>Transforms example-major features in place, e.g. a batch about to become a tensor.</summary>
    /// <param name="features">Whole examples, one after another.</param>
    /// <exception cref="ArgumentException">The length is not a whole number of examples of the fitted layout.</exception>
    void ApplyInPlace(Span<float> features);
}
