using System.Net;

namespace FedDistill.Silo.Security;

/// <summary>
/// Writes the 401 and 403 answers of the federation's security as ProblemDetails, or, to a
/// browser navigating to a page (it asks for <c>text/html</c>, as to the dashboard), as a short
/// HTML refusal page with the same status and detail.
/// </summary>
internal static class FederationProblems
{
    public const string UnauthenticatedTitle = "No federation identity";
    public const string ForbiddenTitle = "Not allowed for this identity";

    public static Task WriteUnauthenticatedAsync(HttpContext context, string detail) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, UnauthenticatedTitle, detail);

    public static Task WriteForbiddenAsync(HttpContext context, string detail) =>
        WriteAsync(context, StatusCodes.Status403Forbidden, ForbiddenTitle, detail);

    private static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        if (WantsHtml(context.Request)) return WriteHtmlAsync(context, status, title, detail);
        return TypedResults.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);
    }

    private static bool WantsHtml(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.GetTypedHeaders().Accept.Any(type => type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private static Task WriteHtmlAsync(HttpContext context, int status, string title, string detail)
    {
        var page = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{status}} {{WebUtility.HtmlEncode(title)}} - FedDistill</title>
            <style>body{font:16px system-ui,sans-serif;margin:4rem auto;max-width:40rem;color:#222}code{background:#eee;padding:0 .2em}</style></head>
            <body><h1 id="refusal" data-status="{{status}}">{{status}}: {{WebUtility.HtmlEncode(title)}}</h1>
            <p>{{WebUtility.HtmlEncode(detail)}}</p>
            <p>The dashboard shows federation data to the federation's admin only: open it with the admin's client certificate
            (<code>feddistill admin issue admin</code>) installed in the browser.</p></body></html>
            """;
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Content(page, "text/html; charset=utf-8").ExecuteAsync(context);
    }
}
