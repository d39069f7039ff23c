using System.Net;
using System.Text.Encodings.Web;
using FedDistill.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Security;

/// <summary>
/// Authenticates a caller by its TLS client certificate through <see cref="FederationIdentityResolver"/>
/// (trusting only the federation's CA), or, in insecure-loopback mode, by the
/// <c>X-FedDistill-Identity</c> header on loopback connections only. Challenges and forbids with ProblemDetails.
/// </summary>
/// <remarks>
/// The TLS layer accepts any presented certificate; this handler decides, so that a refused
/// certificate gets a 401 that says why instead of an unexplained handshake failure. Either way
/// the caller gets no identity.
/// </remarks>
internal sealed class FederationAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<SecurityOptions> securityOptions,
    FederationTrust trust)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(securityOptions.Value.IsInsecureLoopback ? AuthenticateFromHeader() : AuthenticateFromCertificate());

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var reason = result.Failure?.Message ?? (securityOptions.Value.IsInsecureLoopback
            ? $"this endpoint needs a federation identity: in insecure-loopback mode send the {FederationHttpClientFactory.InsecureIdentityHeader} header with a participant id or 'admin'."
            : "this endpoint needs a client certificate issued by the federation's CA (feddistill admin issue admin); none was presented.");
        SecurityLog.CountRejection(result.Failure is null ? "missing-identity" : "invalid-identity");
        SecurityLog.Unauthenticated(Logger, Request.Path, Context.Connection.RemoteIpAddress?.ToString(), reason);
        await FederationProblems.WriteUnauthenticatedAsync(Context, reason);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var identity = Context.GetFederationIdentity();
        var reason = identity is null
            ? "this identity may not call this endpoint."
            : $"{identity} may not call this endpoint.";
        SecurityLog.CountRejection("forbidden");
        SecurityLog.Forbidden(Logger, identity?.ToString() ?? "unknown", Request.Path, reason);
        await FederationProblems.WriteForbiddenAsync(Context, reason);
    }

    private AuthenticateResult AuthenticateFromCertificate()
    {
        var certificate = Context.Connection.ClientCertificate;
        if (certificate is null) return AuthenticateResult.NoResult();
        var result = trust.Resolver.Resolve(certificate);
        if (!result.Succeeded)
        {
            SecurityLog.CertificateRefused(Logger, certificate.Subject, certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256),
                Context.Connection.RemoteIpAddress?.ToString(), result.FailureReason);
            return AuthenticateResult.Fail(result.FailureReason);
        }
        return Success(result.Identity);
    }

    private AuthenticateResult AuthenticateFromHeader()
    {
        if (!Request.Headers.TryGetValue(FederationHttpClientFactory.InsecureIdentityHeader, out var values)) return AuthenticateResult.NoResult();
        var remote = Context.Connection.RemoteIpAddress;
        string? problem = null;
        FederationIdentity? identity = null;
        if (remote is null || !IPAddress.IsLoopback(remote))
            problem = $"insecure-loopback mode accepts a claimed identity only over a loopback connection; {remote} is not loopback.";
        else if (values.Count != 1)
            problem = $"send exactly one {FederationHttpClientFactory.InsecureIdentityHeader} header.";
        else if (values[0] == FederationNames.ReservedAdminName)
            identity = new FederationIdentity(FederationRole.Admin, FederationNames.ReservedAdminName);
        else if (FederationNames.ValidateParticipantId(values[0]) is { } nameProblem)
            problem = $"{FederationHttpClientFactory.InsecureIdentityHeader}: {nameProblem}";
        else
            identity = new FederationIdentity(FederationRole.Participant, values[0]!);

        if (identity is not null) return Success(identity);
        SecurityLog.HeaderIdentityRefused(Logger, remote?.ToString(), problem!);
        return AuthenticateResult.Fail(problem!);
    }

    private AuthenticateResult Success(FederationIdentity identity) =>
        AuthenticateResult.Success(new AuthenticationTicket(FederationHttpContextExtensions.ToPrincipal(identity), Scheme.Name));
}
