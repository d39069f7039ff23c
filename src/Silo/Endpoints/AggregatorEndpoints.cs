using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Protocol;
using FedDistill.Silo.Security;
using FedDistill.Transport;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Endpoints;

/// <summary>
/// The aggregator's versioned HTTP API (see <see cref="AggregatorRoutes"/>): JSON for control,
/// safetensors for tensors. Participants may act only as themselves (the route's participant id
/// must be their certificate's name); admin operations need the admin certificate.
/// </summary>
public static class AggregatorEndpoints
{
    /// <summary>Maps every route of the aggregator role.</summary>
    public static IEndpointRouteBuilder MapAggregator(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(AggregatorRoutes.Prefix).AddEndpointFilter<FederationProblemFilter>();

        api.MapGet("/federation", (AggregatorGrain aggregator, CancellationToken token) => aggregator.GetFederationAsync(token))
            .RequireAuthorization(FederationPolicies.Member);

        var participants = api.MapGroup("/participants");
        participants.MapGet("/", (AggregatorGrain aggregator, CancellationToken token) => aggregator.ListParticipantsAsync(token))
            .RequireAuthorization(FederationPolicies.Admin);
        participants.MapPost("/", async (RegisterParticipantRequest request, AggregatorGrain aggregator, CancellationToken token) =>
            {
                var participant = await aggregator.RegisterParticipantAsync(request, token);
                return TypedResults.Created(AggregatorRoutes.Participant(participant.ParticipantId), participant);
            })
            .RequireAuthorization(FederationPolicies.Admin);
        participants.MapDelete("/{participantId}", async (string participantId, AggregatorGrain aggregator, CancellationToken token) =>
            {
                await aggregator.RemoveParticipantAsync(participantId, token);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(FederationPolicies.Admin);
        participants.MapPost("/{participantId}/report", (string participantId, ParticipantReport report, AggregatorGrain aggregator, CancellationToken token) =>
                aggregator.ReportAsync(participantId, report, token))
            .RequireAuthorization(FederationPolicies.ParticipantSelf);
        participants.MapGet("/{participantId}/assignment", async Task<Results<Ok<RoundAssignment>, NoContent>> (string participantId, AggregatorGrain aggregator, CancellationToken token) =>
                await aggregator.GetAssignmentAsync(participantId, token) is { } assignment ? TypedResults.Ok(assignment) : TypedResults.NoContent())
            .RequireAuthorization(FederationPolicies.ParticipantSelf);

        var rounds = api.MapGroup("/rounds");
        rounds.MapGet("/", (AggregatorGrain aggregator, CancellationToken token) => aggregator.ListRoundsAsync(token))
            .RequireAuthorization(FederationPolicies.Member);
        rounds.MapPost("/", async (RoundSettings settings, AggregatorGrain aggregator, CancellationToken token) =>
            {
                var round = await aggregator.StartRoundAsync(settings, token);
                return TypedResults.Created(AggregatorRoutes.Round(round.Round), round);
            })
            .RequireAuthorization(FederationPolicies.Admin);
        rounds.MapGet("/{round:int}", (int round, AggregatorGrain aggregator, CancellationToken token) => aggregator.GetRoundAsync(round, token))
            .RequireAuthorization(FederationPolicies.Member);
        rounds.MapPost("/{round:int}/cancel", (int round, AggregatorGrain aggregator, CancellationToken token) => aggregator.CancelRoundAsync(round, token))
            .RequireAuthorization(FederationPolicies.Admin);
        rounds.MapPut("/{round:int}/uploads/{participantId}", UploadAsync)
            .RequireAuthorization(FederationPolicies.ParticipantSelf);
        rounds.MapGet("/{round:int}/consensus", async (int round, HttpContext context, AggregatorGrain aggregator, CancellationToken token) =>
            {
                var identity = context.GetFederationIdentity();
                var downloader = identity?.Role == global::FedDistill.Security.FederationRole.Participant ? identity.Name : null;
                return TypedResults.Bytes(await aggregator.GetConsensusAsync(downloader, round, token), AggregatorRoutes.SafetensorsMediaType);
            })
            .RequireAuthorization(FederationPolicies.Member);

        api.MapGet("/students/{version:int}", async (int version, AggregatorGrain aggregator, CancellationToken token) =>
                TypedResults.Bytes(await aggregator.GetStudentAsync(version, token), AggregatorRoutes.SafetensorsMediaType, $"student-{version}.safetensors"))
            .RequireAuthorization(FederationPolicies.Member);
        return endpoints;
    }

    // The body is read here, against the federation's limit, before the aggregator sees it: a
    // declared or actual size over the limit is refused without buffering the rest.
    private static async Task<IResult> UploadAsync(int round, string participantId, HttpContext context, AggregatorGrain aggregator,
        IOptions<AggregatorOptions> options, CancellationToken token)
    {
        var limit = options.Value.MaxUploadBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature) sizeFeature.MaxRequestBodySize = limit + 1;
        if (context.Request.ContentLength is { } declared && declared > limit)
            return FederationProblemFilter.Problem(FederationErrorKind.PayloadTooLarge, "too-large", $"The upload declares {declared} bytes; the limit is {limit}.");

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, token)) > 0)
            {
                if (buffer.Length + read > limit)
                    return FederationProblemFilter.Problem(FederationErrorKind.PayloadTooLarge, "too-large", $"The upload exceeds the limit of {limit} bytes.");
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException error)
        {
            return FederationProblemFilter.Problem(FederationErrorKind.Invalid, "truncated-body", $"The upload's body could not be read whole: {error.Message}");
        }

        var receipt = await aggregator.SubmitAsync(participantId, round, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), token);
        return TypedResults.Created(AggregatorRoutes.Upload(round, participantId), receipt);
    }
}
