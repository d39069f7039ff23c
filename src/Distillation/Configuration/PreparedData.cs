using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Configuration;

/// <summary>The sets one distillation run works on, normalized and split as its <see cref="DataConfig"/> says.</summary>
/// <param name="PublicSet">The public split without labels: what teachers label and the student learns from.</param>
/// <param name="Validation">The labeled head of the public split (the aggregator's validation examples), or null when there are none.</param>
/// <param name="PrivatePool">The rest of the training set, partitioned among the teachers trained here.</param>
/// <param name="Parts">Indices into <paramref name="PrivatePool"/>, one array per teacher trained here, in teacher order.</param>
/// <param name="Test">The labeled test set.</param>
/// <param name="Normalization">How features were normalized, for stage messages.</param>
internal sealed record PreparedData(
    Dataset PublicSet,
    Dataset? Validation,
    Dataset PrivatePool,
    IReadOnlyList<int[]> Parts,
    Dataset Test,
    string Normalization);
