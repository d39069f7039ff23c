namespace FedDistill.Grains.Protocol;

/// <summary>What an organization says of one of its teachers; never its weights or data.</summary>
/// <param name="TeacherId">The teacher's id within its organization.</param>
/// <param name="Model">The model's kind, e.g. <c>small-cnn</c>.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="PrivateExamples">Examples it was trained on.</param>
/// <param name="ClassCounts">Training examples per class (C numbers): per-class ensemble weights use them.</param>
/// <param name="LocalAccuracy">Accuracy on the organization's own held-out data, when it has any.</param>
public sealed record TeacherReport(
    string TeacherId,
    string Model,
    long Parameters,
    int PrivateExamples,
    IReadOnlyList<int> ClassCounts,
    double? LocalAccuracy = null);
