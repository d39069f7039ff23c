namespace FedDistill.Grains.Protocol;

/// <summary>An admin's request to admit an organization.</summary>
/// <param name="ParticipantId">Its identity, the silo name of its organization's silo and the common name of its certificate: <c>[a-z0-9][a-z0-9-]{0,62}</c>.</param>
/// <param name="DisplayName">A human name; defaults to the id.</param>
[GenerateSerializer, Immutable]
public sealed record RegisterParticipantRequest(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] string? DisplayName = null);
