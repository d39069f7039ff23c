using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Operator;

/// <summary>
/// Runs one operator command: opens the connection, runs the action and turns every failure into
/// its exit code (<see cref="OperatorExitCodes"/>) and a message on standard error that says what
/// to do.
/// </summary>
public static class OperatorRunner
{
    /// <summary>Runs <paramref name="action"/> in a session that connects with <paramref name="settings"/> on first use; returns the exit code.</summary>
    /// <param name="commandName">The command's name for messages, e.g. <c>rounds start</c>.</param>
    /// <param name="settings">How to reach the federation and how to print.</param>
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
        try
        {
            await using var session = new OperatorSession(commandName, settings, output, error);
            return await action(session, cancellationToken).ConfigureAwait(false);
        }
        catch (OperatorUsageException exception)
        {
            error.WriteLine($"{prefix} {exception.Message} See 'feddistill {commandName} --help'.");
            return OperatorExitCodes.InvalidUsage;
        }
        catch (FederationException exception)
        {
            error.WriteLine($"{prefix} the federation refused ({exception.Reason}): {exception.Message}{RefusalHint(exception)}");
            return OperatorExitCodes.Refused;
        }
        catch (ConsoleCertificateException exception)
        {
            error.WriteLine($"{prefix} {exception.Message}");
            return OperatorExitCodes.Certificate;
        }
        catch (GatewayUnreachableException exception)
        {
            error.WriteLine($"{prefix} {exception.Message} {ReachHint}");
            return OperatorExitCodes.Unreachable;
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            error.WriteLine($"{prefix} the cluster did not complete the call: {Innermost(exception)}. {ReachHint}");
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
        "Check --gateway, --cluster and --federation (or FEDDISTILL_GATEWAY, FEDDISTILL_CLUSTER, FEDDISTILL_FEDERATION), "
        + "and that the aggregator's silo runs (feddistill-silo --FedDistill:Silo:Role=aggregator) with its gateway there.";

    private static string RefusalHint(FederationException exception) => exception.Kind switch
    {
        FederationErrorKind.NotFound => " 'feddistill rounds list' and 'feddistill participants list' show what exists.",
        FederationErrorKind.Unavailable => " The organization's silo must be running and in the cluster.",
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
