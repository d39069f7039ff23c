using FedDistill.Grains.Protocol;

namespace FedDistill.Silo.Endpoints;

/// <summary>
/// Turns a <see cref="FederationException"/> from a role into ProblemDetails with the status of
/// its kind and its machine-readable <c>reason</c>, so every refusal reads the same on the wire.
/// </summary>
public sealed class FederationProblemFilter : IEndpointFilter
{
    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (FederationException refused)
        {
            return Problem(refused.Kind, refused.Reason, refused.Message);
        }
    }

    /// <summary>The ProblemDetails result for a refusal.</summary>
    public static IResult Problem(FederationErrorKind kind, string reason, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusOf(kind), title: TitleOf(kind),
            extensions: new Dictionary<string, object?> { ["reason"] = reason });

    /// <summary>The HTTP status of a kind of refusal.</summary>
    public static int StatusOf(FederationErrorKind kind) => kind switch
    {
        FederationErrorKind.Invalid => StatusCodes.Status400BadRequest,
        FederationErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        FederationErrorKind.NotFound => StatusCodes.Status404NotFound,
        FederationErrorKind.Conflict => StatusCodes.Status409Conflict,
        FederationErrorKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status400BadRequest,
    };

    private static string TitleOf(FederationErrorKind kind) => kind switch
    {
        FederationErrorKind.Invalid => "Invalid request",
        FederationErrorKind.Forbidden => "Not allowed",
        FederationErrorKind.NotFound => "Not found",
        FederationErrorKind.Conflict => "Conflicts with the federation's state",
        FederationErrorKind.PayloadTooLarge => "Body too large",
        _ => "Refused",
    };
}
