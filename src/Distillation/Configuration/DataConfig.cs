using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// The <c>data</c> section: which data set to load and how the run cuts it. The training set is
/// shuffled with <see cref="Seed"/>; its first <see cref="PublicCount"/> examples form the public
/// set (unlabeled for the student; the first <see cref="ValidationCount"/> of them keep their labels
/// for the aggregator), the rest is the private pool that <see cref="Partition"/> splits among the
/// teachers that train here.
/// </summary>
public sealed record DataConfig
{
    /// <summary>The data set: one of <see cref="Datasets"/>.</summary>
    public string Dataset { get; init; } = DatasetCatalog.FashionMnist;

    /// <summary>
    /// The directory holding the data files, or null for the default (Debian's
    /// <c>dataset-fashion-mnist</c>; scikit-learn's data directory for <c>breast-cancer</c>).
    /// </summary>
    public string? Directory { get; init; }

    /// <summary>Size of the public split carved from the training set, at least 1.</summary>
    public int PublicCount { get; init; } = 10_000;

    /// <summary>
    /// How many examples at the head of the public split keep their labels for the aggregator
    /// (teacher validation accuracy for weighting, the student's per-epoch validation), in
    /// [0, <see cref="PublicCount"/>].
    /// </summary>
    public int ValidationCount { get; init; } = 1_000;

    /// <summary>How the private pool is split among the teachers trained here.</summary>
    public PartitionerOptions Partition { get; init; } = new();

    /// <summary>Use only the first N training examples (quick runs), or all when null; at least 1.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Evaluate on only the first N test examples (quick runs), or all when null; at least 1.</summary>
    public int? TestLimit { get; init; }

    /// <summary>
    /// Whether to normalize features with statistics fitted on the private pool (one mean and
    /// standard deviation for images, per-feature standardization for tables), or null (the
    /// default) to decide by the models: see <see cref="DistillationConfig.NormalizesFeatures"/>.
    /// </summary>
    /// <remarks>
    /// Null leaves features on the data set's own scale (pixels in [0, 1]) when a teacher or the
    /// student is TorchScript: a PyTorch module only works on inputs scaled as in its training,
    /// which FedDistill cannot know, and PyTorch code most often feeds <c>ToTensor()</c>'s [0, 1]
    /// pixels. A TorchScript teacher trained on [0, 1] pixels and fed normalized ones fell from
    /// 0.878 to 0.790 test accuracy (docs/results.md). Set true for modules trained on normalized inputs.
    /// </remarks>
    public bool? Normalize { get; init; }

    /// <summary>Seed of the split, the partition and model initialization.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The data set names <see cref="Dataset"/> accepts.</summary>
    public static IReadOnlyList<string> Datasets => DatasetCatalog.Names;
}
