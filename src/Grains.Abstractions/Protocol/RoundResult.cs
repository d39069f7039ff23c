namespace FedDistill.Grains.Protocol;

/// <summary>What a completed round produced and what it cost.</summary>
/// <param name="StudentVersion">The published student's version (the round number).</param>
/// <param name="StudentSha256">SHA-256 of the student checkpoint (safetensors state dict).</param>
/// <param name="ConsensusSha256">SHA-256 of the ensemble's logits on the public set.</param>
/// <param name="StudentAccuracy">Student accuracy on the aggregator's evaluation set, if it has one.</param>
/// <param name="EnsembleAccuracy">The ensemble's accuracy on the aggregator's validation rows of the public set, if labeled.</param>
/// <param name="FinalLoss">The student's last training loss.</param>
/// <param name="Teachers">Per uploaded teacher: its accuracy on the validation rows and agreement with the ensemble.</param>
/// <param name="UploadedBytes">Bytes of the accepted uploads.</param>
/// <param name="DownloadedBytes">Bytes organizations downloaded for this round (the consensus they digested).</param>
/// <param name="DistillSeconds">Seconds spent distilling the student.</param>
/// <param name="RoundSeconds">Seconds from opening to publishing.</param>
/// <param name="TeacherSeconds">
/// The longest teacher work (preparing, digesting, computing logits) an accepted upload reported,
/// in seconds: the organizations' part of the round's critical path, as they measured it.
/// </param>
/// <param name="StudentEpochs">
/// The student's loss and evaluation accuracy after each epoch, at most
/// <see cref="MaxStudentEpochs"/> of them (evenly spread, the last always kept); null for
/// rounds stored before they were recorded.
/// </param>
/// <param name="Epsilon">
/// For a <c>pate-gnmax</c> round, the ε this round's release cost at the federation's δ
/// (data-independent Rényi-DP bound of its threshold checks and answered queries, converted
/// alone); null for a round without a privacy guarantee.
/// </param>
/// <param name="Delta">The δ <paramref name="Epsilon"/> is stated at, or null.</param>
/// <param name="AnsweredExamples">For a <c>pate-gnmax</c> round, how many public examples were answered (the student trained on these), or null.</param>
[GenerateSerializer, Immutable]
public sealed record RoundResult(
    [property: Id(0)] int StudentVersion,
    [property: Id(1)] string StudentSha256,
    [property: Id(2)] string ConsensusSha256,
    [property: Id(3)] double? StudentAccuracy,
    [property: Id(4)] double? EnsembleAccuracy,
    [property: Id(5)] double FinalLoss,
    [property: Id(6)] IReadOnlyList<TeacherRoundMetrics> Teachers,
    [property: Id(7)] long UploadedBytes,
    [property: Id(8)] long DownloadedBytes,
    [property: Id(9)] double DistillSeconds,
    [property: Id(10)] double RoundSeconds,
    [property: Id(11)] double TeacherSeconds = 0,
    [property: Id(12)] IReadOnlyList<StudentEpochMetrics>? StudentEpochs = null,
    [property: Id(13)] double? Epsilon = null,
    [property: Id(14)] double? Delta = null,
    [property: Id(15)] int? AnsweredExamples = null)
{
    /// <summary>At most this many epochs are kept per round, so that long trainings do not swell the stored state.</summary>
    public const int MaxStudentEpochs = 100;
}
