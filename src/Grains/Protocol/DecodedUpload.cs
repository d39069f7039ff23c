namespace FedDistill.Grains.Protocol;

/// <summary>An upload that passed every check of <see cref="SoftLabelsCodec.Decode"/>.</summary>
/// <param name="Round">The round it names.</param>
/// <param name="ParticipantId">The participant it names.</param>
/// <param name="Metadata">Its metadata.</param>
/// <param name="Teachers">Each teacher's logits.</param>
public sealed record DecodedUpload(int Round, string ParticipantId, UploadMetadata Metadata, IReadOnlyList<DecodedTeacherLogits> Teachers);
