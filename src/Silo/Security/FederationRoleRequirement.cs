using FedDistill.Security;

namespace FedDistill.Silo.Security;

/// <summary>The caller has exactly <see cref="Role"/>.</summary>
internal sealed class FederationRoleRequirement(FederationRole role) : FederationRequirement
{
    public FederationRole Role { get; } = role;

    public override bool IsMetBy(FederationIdentity identity, HttpContext? request) => identity.Role == Role;

    public override string Explain(FederationIdentity identity, HttpContext? request) => Role switch
    {
        FederationRole.Admin => $"this endpoint needs the admin certificate; the caller is {identity}.",
        FederationRole.Participant => $"this endpoint needs a participant certificate; the caller is {identity}.",
        _ => $"this endpoint needs the {FederationRoleNames.ToName(Role)} role; the caller is {identity}.",
    };
}
