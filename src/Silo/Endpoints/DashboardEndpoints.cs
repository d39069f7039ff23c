using FedDistill.Silo.Security;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace FedDistill.Silo.Endpoints;

/// <summary>
/// <c>GET /dashboard/</c>: the web dashboard's static files (HTML, JS, CSS and the chart library
/// installed from npm at build time), copied to <c>dashboard/</c> in the silo's build output.
/// Admin only, like the data it shows: a visit without the admin certificate gets a 401 (or 403)
/// refusal page and none of the files.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>The route prefix.</summary>
    public const string Route = "/dashboard";

    /// <summary>The folder under the silo's base directory that holds the files.</summary>
    public const string FolderName = "dashboard";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Maps <c>/dashboard</c> (redirects to <c>/dashboard/</c>) and <c>/dashboard/{file}</c>.</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        var root = Path.Combine(AppContext.BaseDirectory, FolderName);
        var files = Directory.Exists(root) ? (IFileProvider)new PhysicalFileProvider(root) : new NullFileProvider();
        var group = endpoints.MapGroup(Route).RequireAuthorization(FederationPolicies.Admin);
        group.MapGet("/{**path}", (string? path, HttpContext context) =>
        {
            // Routing matches /dashboard and /dashboard/ alike; the page's relative links need the slash.
            if (string.IsNullOrEmpty(path) && !(context.Request.Path.Value ?? string.Empty).EndsWith('/'))
                return Results.Redirect(Route + "/");
            var file = files.GetFileInfo(string.IsNullOrEmpty(path) ? "index.html" : path);
            if (!file.Exists || file.IsDirectory || file.PhysicalPath is null)
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                    detail: $"The dashboard has no file '{path}'{(Directory.Exists(root) ? string.Empty : $" (the silo was built without {FolderName}/)")}.");
            var headers = context.Response.Headers;
            headers.CacheControl = "no-cache";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
            var type = ContentTypes.TryGetContentType(file.Name, out var known) ? known : "application/octet-stream";
            return Results.File(file.PhysicalPath, type, enableRangeProcessing: false);
        });
        return endpoints;
    }
}
