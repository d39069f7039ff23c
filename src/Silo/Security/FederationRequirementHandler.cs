using Microsoft.AspNetCore.Authorization;

namespace FedDistill.Silo.Security;

/// <summary>Meets each <see cref="FederationRequirement"/> that the caller's federation identity satisfies.</summary>
internal sealed class FederationRequirementHandler : AuthorizationHandler<FederationRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, FederationRequirement requirement)
    {
        var identity = FederationHttpContextExtensions.FromPrincipal(context.User);
        if (identity is not null && requirement.IsMetBy(identity, context.Resource as HttpContext)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
