using System.Security.Claims;
using FedDistill.Security;

namespace FedDistill.Silo.Security;

/// <summary>The caller's federation identity inside an endpoint.</summary>
public static class FederationHttpContextExtensions
{
    /// <summary>
    /// The identity that the federation's authentication established for this request (from the
    /// client certificate, or the demo header in insecure-loopback mode), or null when the caller
    /// has none. Endpoints behind <see cref="FederationPolicies"/> always see a non-null identity.
    /// </summary>
    public static FederationIdentity? GetFederationIdentity(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return FromPrincipal(context.User);
    }

    internal static FederationIdentity? FromPrincipal(ClaimsPrincipal? principal)
    {
        if (principal is null) return null;
        foreach (var identity in principal.Identities)
        {
            if (!identity.IsAuthenticated || identity.AuthenticationType != FederationPolicies.AuthenticationScheme) continue;
            var name = identity.FindFirst(ClaimTypes.Name)?.Value;
            if (name is not null && FederationRoleNames.TryParse(identity.FindFirst(ClaimTypes.Role)?.Value, out var role))
                return new FederationIdentity(role, name);
        }
        return null;
    }

    internal static ClaimsPrincipal ToPrincipal(FederationIdentity identity) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, identity.Name),
            new Claim(ClaimTypes.Name, identity.Name),
            new Claim(ClaimTypes.Role, FederationRoleNames.ToName(identity.Role)),
        ],
        FederationPolicies.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role));
}
