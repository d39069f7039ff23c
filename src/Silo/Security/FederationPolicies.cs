namespace FedDistill.Silo.Security;

/// <summary>
/// The authorization policies <see cref="FederationSecurityExtensions.AddFederationSecurity"/>
/// registers; use them with <c>RequireAuthorization(FederationPolicies.Admin)</c>.
/// </summary>
/// <remarks>
/// A caller without an identity gets 401, a caller with the wrong one 403, both as ProblemDetails
/// whose <c>detail</c> says what is wrong.
/// </remarks>
public static class FederationPolicies
{
    /// <summary>The admin identity (role <c>admin</c>).</summary>
    public const string Admin = "FedDistill.Admin";

    /// <summary>The authentication scheme that turns a client certificate (or the demo header) into the caller's principal.</summary>
    public const string AuthenticationScheme = "FedDistill.Federation";
}
