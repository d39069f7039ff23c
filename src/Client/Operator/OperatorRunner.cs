using System.Net.Http;
using FedDistill.Grains.Protocol;
using FedDistill.Security;

namespace FedDistill.Client.Operator;

/// <summary>
/// Runs one operator command: opens the connection, runs the action and turns every failure into
/// its exit code (<see cref="OperatorExitCodes"/>) and a message on standard error that says what
/// to do.
/// </summary>
public static class OperatorRunner
{
    /// <summary>Runs <paramref name="action"/> in a session whose connection is built from <paramref name="settings"/> on first use; returns the exit code.</summary>
    /// <param name="commandName">The command's name for messages, e.g. <c>rounds start</c>.</param>
    /// <param name="settings">How to reach the aggregator and how to print.</param>
    /// <param name="action">The command's work; returns its exit code.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="cancellationToken">Cancels the command (Ctrl+C).</param>
    public static async Task<int> RunAsync(string commandName, ConnectionSettings settings, Func<OperatorSession, CancellationToken, Task<int>> action,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(error);
        var prefix = $"feddistill {commandName}:";
        var aggregator = settings.AggregatorUrl ?? "(none)";
        try
        {
            using var session = new OperatorSession(commandName, settings, output, error);
            return await action(session, cancellationToken).ConfigureAwait(false);
        }
        catch (OperatorUsageException exception)
        {
            error.WriteLine($"{prefix} {exception.Message} See 'feddistill {commandName} --help'.");
            return OperatorExitCodes.InvalidUsage;
        }
        catch (CertificateProblemException exception)
        {
            error.WriteLine($"{prefix} {exception.Message}");
            return OperatorExitCodes.CertificateProblem;
        }
        catch (CertificateAuthorityException exception)
        {
            error.WriteLine($"{prefix} {exception.Message} {AggregatorConnection.IssueHint}");
            return OperatorExitCodes.CertificateProblem;
        }
        catch (FederationException exception) when (exception.Reason == "http-401")
        {
            error.WriteLine($"{prefix} the aggregator did not accept the console's certificate: {exception.Message} {AggregatorConnection.IssueHint}");
            return OperatorExitCodes.CertificateProblem;
        }
        catch (FederationException exception)
        {
            error.WriteLine($"{prefix} the aggregator refused ({exception.Reason}): {exception.Message}{RefusalHint(exception)}");
            return OperatorExitCodes.Refused;
        }
        catch (HttpRequestException exception) when (exception.StatusCode is not null)
        {
            error.WriteLine($"{prefix} the aggregator failed: {exception.Message} Its log says why.");
            return OperatorExitCodes.Failed;
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            error.WriteLine($"{prefix} the TLS handshake with {aggregator} failed: {Innermost(exception)}. Check that --ca is the federation's ca.crt, "
                + "that the URL's host is in the aggregator's server certificate, and that --cert/--key are a certificate of this federation. " + AggregatorConnection.IssueHint);
            return OperatorExitCodes.CertificateProblem;
        }
        catch (HttpRequestException exception)
        {
            error.WriteLine($"{prefix} cannot reach the aggregator at {aggregator}: {Innermost(exception)}. {ReachHint}");
            return OperatorExitCodes.Unreachable;
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested && exception.InnerException is TimeoutException)
        {
            error.WriteLine($"{prefix} the aggregator at {aggregator} did not answer within {AggregatorConnection.RequestTimeout.TotalSeconds:F0} s. {ReachHint}");
            return OperatorExitCodes.Unreachable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine($"{prefix} cancelled.");
            return OperatorExitCodes.Failed;
        }
        catch (OperationFailedException exception)
        {
            error.WriteLine($"{prefix} {exception.Message}");
            return OperatorExitCodes.Failed;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{prefix} {exception.Message}");
            return OperatorExitCodes.Failed;
        }
    }

    private const string ReachHint =
        "Check --aggregator (or FEDDISTILL_AGGREGATOR), that the aggregator silo runs (feddistill-silo --FedDistill:Silo:Roles=aggregator) and listens there, "
        + "and that the mode matches (https with --ca/--cert/--key, or http with --insecure-loopback).";

    private static string RefusalHint(FederationException exception) => exception.Kind switch
    {
        FederationErrorKind.Forbidden => " Admin operations need the admin's certificate (feddistill admin issue admin).",
        FederationErrorKind.NotFound => " 'feddistill rounds list' and 'feddistill participants list' show what exists.",
        _ => "",
    };

    private static string Innermost(Exception exception)
    {
        var messages = new List<string>();
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            var message = current.Message.TrimEnd('.');
            if (messages.Count == 0 || !messages[^1].Contains(message, StringComparison.Ordinal)) messages.Add(message);
        }

        return string.Join(": ", messages);
    }
}
