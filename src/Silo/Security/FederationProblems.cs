namespace FedDistill.Silo.Security;

/// <summary>Writes the 401 and 403 answers of the federation's security as ProblemDetails.</summary>
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
        return TypedResults.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);
    }
}
