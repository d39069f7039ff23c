using FedDistill.Security;
using Microsoft.AspNetCore.Authorization;

namespace FedDistill.Silo.Security;

/// <summary>What a federation policy asks of the caller's identity, and how to say that it is missing.</summary>
internal abstract class FederationRequirement : IAuthorizationRequirement
{
    /// <summary>Whether <paramref name="identity"/> meets the requirement for this request.</summary>
    public abstract bool IsMetBy(FederationIdentity identity, HttpContext? request);

    /// <summary>The ProblemDetails detail of a 403 for <paramref name="identity"/>.</summary>
    public abstract string Explain(FederationIdentity identity, HttpContext? request);
}
