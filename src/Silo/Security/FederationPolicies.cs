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
    /// <summary>Any participant (role <c>participant</c>); the admin is not a participant.</summary>
    public const string Participant = "FedDistill.Participant";

    /// <summary>Any member of the federation: a participant or the admin.</summary>
    public const string Member = "FedDistill.Member";

    /// <summary>The admin identity (role <c>admin</c>).</summary>
    public const string Admin = "FedDistill.Admin";

    /// <summary>
    /// The participant named by the route value <see cref="ParticipantIdRouteValue"/>, and only
    /// that one: a participant may act only as itself (e.g. <c>/v1/participants/{participantId}/soft-labels</c>).
    /// </summary>
    public const string ParticipantSelf = "FedDistill.ParticipantSelf";

    /// <summary>The route value <see cref="ParticipantSelf"/> compares with the caller's name.</summary>
    public const string ParticipantIdRouteValue = "participantId";

    /// <summary>The authentication scheme that turns a client certificate (or the demo header) into the caller's principal.</summary>
    public const string AuthenticationScheme = "FedDistill.Federation";
}
