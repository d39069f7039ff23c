namespace FedDistill.Grains.Protocol;

/// <summary>An admin's request to admit an organization.</summary>
/// <param name="ParticipantId">Its identity, the common name of its certificate: <c>[a-z0-9][a-z0-9-]{0,62}</c>.</param>
/// <param name="DisplayName">A human name; defaults to the id.</param>
public sealed record RegisterParticipantRequest(string ParticipantId, string? DisplayName = null);
