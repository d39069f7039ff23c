using FedDistill.Grains.Clients;
using FedDistill.Grains.Protocol;
using FedDistill.Security;
using FedDistill.Silo.Security;
using FedDistill.Transport;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Hosting;

/// <summary>
/// Runs an organization's client in a silo: dials out to the aggregator with the organization's
/// certificate, prepares its teachers, then polls for rounds. When the aggregator is unreachable
/// it keeps retrying, so a participant that lost its connection rejoins the next round.
/// </summary>
public sealed partial class ParticipantWorker(
    IOptions<ClientOptions> client,
    IOptions<ParticipantConnectionOptions> connection,
    IOptions<SecurityOptions> security,
    IHostApplicationLifetime lifetime,
    ILogger<ParticipantWorker> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Libtorch work is CPU-bound and synchronous: keep it off the thread that started the host.
        await Task.Yield();
        using var http = CreateHttpClient();
        using var grain = new ClientGrain(client.Value, new HttpAggregatorClient(http));
        grain.Log += line => LogLine(logger, line);
        var retry = TimeSpan.FromSeconds(connection.Value.RetrySeconds);
        var prepared = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!prepared)
                {
                    await grain.PrepareAsync(stoppingToken);
                    prepared = true;
                }

                await grain.RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException error)
            {
                LogUnreachable(logger, connection.Value.AggregatorUrl, error.Message, retry.TotalSeconds);
                await Task.Delay(retry, stoppingToken);
            }
            catch (FederationException refused) when (refused.Kind is FederationErrorKind.Forbidden)
            {
                LogRefused(logger, refused.Reason, refused.Message);
                await Task.Delay(retry * 5, stoppingToken);
            }
            catch (InvalidOperationException error)
            {
                // A wrong public set or a broken configuration: retrying cannot fix it.
                LogFatal(logger, error.Message);
                Environment.ExitCode = 3;
                lifetime.StopApplication();
                return;
            }
        }
    }

    private HttpClient CreateHttpClient()
    {
        var baseAddress = new Uri(connection.Value.AggregatorUrl);
        return security.Value.Mode == SecurityOptions.InsecureLoopbackMode
            ? FederationHttpClientFactory.CreateInsecureLoopback(baseAddress, client.Value.ParticipantId)
            : FederationHttpClientFactory.Create(baseAddress, connection.Value.CertificatePath!, connection.Value.KeyPath!, security.Value.CaCertificatePath!);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogLine(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Aggregator {Url} unreachable ({Error}); retrying in {Seconds} s")]
    private static partial void LogUnreachable(ILogger logger, string url, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "The aggregator refused this participant ({Reason}): {Detail}")]
    private static partial void LogRefused(ILogger logger, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Participant cannot continue: {Problem}")]
    private static partial void LogFatal(ILogger logger, string problem);
}
