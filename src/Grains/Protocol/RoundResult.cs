namespace FedDistill.Grains.Protocol;

/// <summary>What a completed round produced and what it cost.</summary>
/// <param name="StudentVersion">The published student's version (the round number).</param>
/// <param name="StudentSha256">SHA-256 of the student checkpoint (safetensors state dict).</param>
/// <param name="ConsensusSha256">SHA-256 of the ensemble's logits on the public set (safetensors).</param>
/// <param name="StudentAccuracy">Student accuracy on the aggregator's evaluation set, if it has one.</param>
/// <param name="EnsembleAccuracy">The ensemble's accuracy on the aggregator's validation rows of the public set, if labeled.</param>
/// <param name="FinalLoss">The student's last training loss.</param>
/// <param name="Teachers">Per uploaded teacher: its accuracy on the validation rows and agreement with the ensemble.</param>
/// <param name="UploadedBytes">Bytes of the accepted uploads.</param>
/// <param name="DownloadedBytes">Bytes participants downloaded for this round (the consensus they digested).</param>
/// <param name="DistillSeconds">Seconds spent distilling the student.</param>
/// <param name="RoundSeconds">Seconds from opening to publishing.</param>
public sealed record RoundResult(
    int StudentVersion,
    string StudentSha256,
    string ConsensusSha256,
    double? StudentAccuracy,
    double? EnsembleAccuracy,
    double FinalLoss,
    IReadOnlyList<TeacherRoundMetrics> Teachers,
    long UploadedBytes,
    long DownloadedBytes,
    double DistillSeconds,
    double RoundSeconds);
