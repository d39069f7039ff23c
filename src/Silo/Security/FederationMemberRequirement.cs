using FedDistill.Security;

namespace FedDistill.Silo.Security;

/// <summary>The caller is a member of the federation: any participant, or the admin.</summary>
internal sealed class FederationMemberRequirement : FederationRequirement
{
    public override bool IsMetBy(FederationIdentity identity, HttpContext? request) =>
        identity.Role is FederationRole.Participant or FederationRole.Admin;

    public override string Explain(FederationIdentity identity, HttpContext? request) =>
        $"this endpoint needs a participant or the admin certificate; the caller is {identity}.";
}
