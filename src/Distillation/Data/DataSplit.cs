namespace FedDistill.Distillation.Data;

/// <summary>
/// The three disjoint sets of a federated distillation experiment, cut from one dataset by
/// <see cref="DatasetSplitter"/>.
/// </summary>
/// <param name="PublicSet">
/// The public transfer set on which teachers produce soft labels for the student. It keeps its
/// labels for evaluation; call <see cref="Dataset.WithoutLabels"/> before handing it to clients.
/// </param>
/// <param name="PrivateSet">The private data, to be partitioned among clients.</param>
/// <param name="TestSet">Held-out data for evaluating the student.</param>
public sealed record DataSplit(Dataset PublicSet, Dataset PrivateSet, Dataset TestSet);
