using System.Security.Authentication;
using FedDistill.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Security;

/// <summary>Wires the federation's transport security into a silo: Kestrel TLS, caller identities and policies.</summary>
public static class FederationSecurityExtensions
{
    /// <summary>
    /// Binds <see cref="SecurityOptions"/> from <c>FedDistill:Security</c> (validated at start),
    /// configures Kestrel (in TLS mode HTTP/1.1 and HTTP/2 over HTTPS with the server certificate,
    /// TLS 1.2+, client certificates allowed but not required so <c>/healthz</c> answers without
    /// one; in insecure-loopback mode cleartext HTTP/1.1, which browsers and Prometheus speak), registers the <see cref="FederationPolicies.AuthenticationScheme"/> authentication
    /// scheme and the <see cref="FederationPolicies"/> authorization policies, and ProblemDetails.
    /// </summary>
    /// <returns>The same builder.</returns>
    public static WebApplicationBuilder AddFederationSecurity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        // Relative certificate paths are the kit's files, next to its settings: taken from the content root.
        var contentRoot = builder.Environment.ContentRootPath;
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.SectionName).PostConfigure(options =>
        {
            options.CaCertificatePath = FromContentRoot(contentRoot, options.CaCertificatePath);
            options.ServerCertificatePath = FromContentRoot(contentRoot, options.ServerCertificatePath);
            options.ServerKeyPath = FromContentRoot(contentRoot, options.ServerKeyPath);
        }).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FederationTrust>();
        services.AddHostedService<SecurityModeGuard>();
        services.AddProblemDetails();

        services.AddAuthentication(FederationPolicies.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, FederationAuthenticationHandler>(FederationPolicies.AuthenticationScheme, displayName: "FedDistill federation identity", configureOptions: null);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, FederationRequirementHandler>());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, FederationAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(FederationPolicies.Admin, policy => Federation(policy).AddRequirements(new FederationRoleRequirement(FederationRole.Admin)));

        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Applied when endpoints are bound, after SecurityOptions passed validation. Kestrel
            // cannot serve HTTP/1.1 and HTTP/2 prior knowledge on one cleartext endpoint; the
            // plain-HTTP loopback demo's callers are browsers (the dashboard) and scrapers
            // (/metrics), which speak HTTP/1.1 only there, so that is what it serves.
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols =
                kestrel.ApplicationServices.GetRequiredService<IOptions<SecurityOptions>>().Value.IsInsecureLoopback
                    ? HttpProtocols.Http1
                    : HttpProtocols.Http1AndHttp2);
            // Runs when an https endpoint is bound, after SecurityOptions passed validation.
            kestrel.ConfigureHttpsDefaults(https =>
            {
                var options = kestrel.ApplicationServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
                if (options.IsInsecureLoopback) return;
                https.ServerCertificate = kestrel.ApplicationServices.GetRequiredService<FederationTrust>().ServerCertificate;
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.CheckCertificateRevocation = false;
                // Any presented certificate gets through the handshake; FederationAuthenticationHandler
                // checks it against the federation's CA and refuses it with a 401 that says why.
                https.ClientCertificateValidation = static (_, _, _) => true;
            });
        });
        return builder;
    }

    /// <summary>Adds authentication and authorization middleware; call after routing and before mapping endpoints that need <see cref="FederationPolicies"/>.</summary>
    /// <returns>The same application.</returns>
    public static WebApplication UseFederationSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    private static AuthorizationPolicyBuilder Federation(AuthorizationPolicyBuilder policy) =>
        policy.AddAuthenticationSchemes(FederationPolicies.AuthenticationScheme).RequireAuthenticatedUser();

    private static string? FromContentRoot(string contentRoot, string? path) =>
        string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(contentRoot, path));
}
