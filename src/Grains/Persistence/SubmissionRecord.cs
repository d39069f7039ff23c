namespace FedDistill.Grains.Persistence;

/// <summary>An accepted upload of soft labels.</summary>
/// <param name="RoundNumber">The round it belongs to.</param>
/// <param name="ParticipantId">Who uploaded it.</param>
/// <param name="ArtifactSha256">SHA-256 (hex) of the uploaded body in the artifact store.</param>
/// <param name="Bytes">Size of the uploaded body.</param>
/// <param name="AcceptedAt">When it was accepted.</param>
/// <param name="MetadataJson">What came with it (dtype, teachers, class counts, timings) as JSON.</param>
public sealed record SubmissionRecord(
    int RoundNumber,
    string ParticipantId,
    string ArtifactSha256,
    long Bytes,
    DateTimeOffset AcceptedAt,
    string MetadataJson);
