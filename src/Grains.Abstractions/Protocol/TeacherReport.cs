namespace FedDistill.Grains.Protocol;

/// <summary>What an organization says of one of its teachers; never its weights or data.</summary>
/// <param name="TeacherId">The teacher's id within its organization.</param>
/// <param name="Model">The model's kind, e.g. <c>small-cnn</c>.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="PrivateExamples">Examples it was trained on.</param>
/// <param name="ClassCounts">Training examples per class (C numbers): per-class ensemble weights use them.</param>
/// <param name="LocalAccuracy">Accuracy on the organization's own held-out data, when it has any.</param>
/// <param name="Progress">While the teacher trains (first training or a digest), how far it is in [0, 1]; null otherwise.</param>
[GenerateSerializer, Immutable]
public sealed record TeacherReport(
    [property: Id(0)] string TeacherId,
    [property: Id(1)] string Model,
    [property: Id(2)] long Parameters,
    [property: Id(3)] int PrivateExamples,
    [property: Id(4)] IReadOnlyList<int> ClassCounts,
    [property: Id(5)] double? LocalAccuracy = null,
    [property: Id(6)] double? Progress = null);
