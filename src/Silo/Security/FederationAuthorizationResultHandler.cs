using FedDistill.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace FedDistill.Silo.Security;

/// <summary>Answers a 403 from a federation policy with a ProblemDetails saying which identity the endpoint needs; everything else as ASP.NET Core does.</summary>
internal sealed class FederationAuthorizationResultHandler(ILogger<FederationAuthorizationResultHandler> logger) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden
            && context.GetFederationIdentity() is { } identity
            && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<FederationRequirement>().FirstOrDefault() is { } requirement)
        {
            var reason = requirement.Explain(identity, context);
            SecurityLog.CountRejection("forbidden");
            SecurityLog.Forbidden(logger, identity.ToString(), context.Request.Path, reason);
            await FederationProblems.WriteForbiddenAsync(context, reason);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
