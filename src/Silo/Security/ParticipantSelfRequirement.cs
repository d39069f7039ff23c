using FedDistill.Security;

namespace FedDistill.Silo.Security;

/// <summary>The caller is the participant that the route value <see cref="FederationPolicies.ParticipantIdRouteValue"/> names.</summary>
internal sealed class ParticipantSelfRequirement : FederationRequirement
{
    public override bool IsMetBy(FederationIdentity identity, HttpContext? request) =>
        RouteParticipant(request) is { } participantId && identity.IsParticipant(participantId);

    public override string Explain(FederationIdentity identity, HttpContext? request) =>
        identity.Role != FederationRole.Participant
            ? $"this endpoint needs a participant certificate; the caller is {identity}."
            : RouteParticipant(request) is { } participantId
                ? $"participant '{identity.Name}' may act only as itself, not as participant '{participantId}'."
                : $"this endpoint has no {{{FederationPolicies.ParticipantIdRouteValue}}} route value to check the caller against.";

    private static string? RouteParticipant(HttpContext? request) =>
        request?.GetRouteValue(FederationPolicies.ParticipantIdRouteValue) as string;
}
