using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Federated;

/// <summary>
/// The shared public set as one member builds it from its local copy of the source data: the
/// same bytes on every machine, which <see cref="Fingerprint"/> proves.
/// </summary>
/// <remarks>
/// The normalization is fitted on the public images, so every member (who all have them) derives
/// the same constants and applies them to its private data without sharing any statistic of it.
/// </remarks>
public sealed class PublicSet
{
    private PublicSet(PublicSetDefinition spec, Dataset originals, Dataset examples, GlobalNormalization normalization)
    {
        Spec = spec;
        Originals = originals;
        Examples = examples;
        Normalization = normalization;
        Fingerprint = DatasetFingerprint.Compute(examples);
    }

    /// <summary>How it was built.</summary>
    public PublicSetDefinition Spec { get; }

    /// <summary>The normalized source images with their labels, before augmentation (rows [0, Count) of <see cref="Examples"/>).</summary>
    public Dataset Originals { get; }

    /// <summary>The unlabeled public set every teacher computes logits on: the originals then the augmented copies.</summary>
    public Dataset Examples { get; }

    /// <summary>The normalization fitted on the raw public images; members apply it to their private data.</summary>
    public GlobalNormalization Normalization { get; }

    /// <summary>SHA-256 of <see cref="Examples"/>.</summary>
    public string Fingerprint { get; }

    /// <summary>Builds the public set from the local Fashion-MNIST copy.</summary>
    /// <param name="spec">What to build.</param>
    /// <param name="sources">Where the source datasets are read from.</param>
    /// <exception cref="ArgumentException">The spec is invalid or reaches past the source.</exception>
    public static PublicSet Load(PublicSetDefinition spec, DataSources sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(spec);
        var errors = spec.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(spec));
        var source = sources.Get(spec.Source);
        if ((long)spec.Start + spec.Count > source.Count)
            throw new ArgumentException($"The public set asks for examples [{spec.Start}, {spec.Start + spec.Count}) but {spec.Source} has {source.Count}.", nameof(spec));
        var raw = source.Subset(Enumerable.Range(spec.Start, spec.Count).ToArray());
        var normalization = GlobalNormalization.Fit(raw);
        var originals = normalization.Apply(raw);
        var examples = spec.AugmentedCopies == 0
            ? originals.WithoutLabels()
            : ImageAugmentation.Expand(originals.WithoutLabels(), spec.AugmentedCopies, maxShift: 2, spec.AugmentationSeed);
        return new PublicSet(spec, originals, examples, normalization);
    }
}
