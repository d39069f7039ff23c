namespace FedDistill.Grains.Protocol;

/// <summary>What an upload says of itself, stored (JSON) with the submission.</summary>
/// <param name="DType">The logits' dtype on the wire: <c>float32</c> or <c>float16</c>.</param>
/// <param name="Teachers">The organization's teachers in the upload, in tensor order.</param>
/// <param name="ComputeSeconds">Seconds the participant spent on teacher work (training, inference) for this upload.</param>
public sealed record UploadMetadata(string DType, IReadOnlyList<TeacherReport> Teachers, double ComputeSeconds);
