namespace FedDistill.Silo.Hosting;

/// <summary>
/// Replaces Orleans' fatal error handler, which ends the process with <c>Environment.FailFast</c>
/// (an abort, exit code 134, a stack dump on stderr). Above all it handles a silo that the
/// cluster declared dead (a member frozen or cut off past the membership probe limit, which then
/// comes back and reads its own death in the membership table): it logs one line saying so and
/// what to do, stops the host, and exits with <see cref="SiloExitCodes.DeclaredDead"/>, so that a
/// supervisor starts a fresh process, which joins the cluster as a new member. Any other fatal
/// error exits with <see cref="SiloExitCodes.FatalError"/>.
/// </summary>
public sealed partial class SiloFatalErrorHandler(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<SiloFatalErrorHandler> logger) : IFatalErrorHandler
{
    /// <summary>
    /// How long the host may take to stop before the process exits anyway: a dead silo's shutdown
    /// talks to a cluster that no longer answers it, and must not keep the process alive.
    /// </summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);

    // Orleans' membership says this in the context of the fatal error it raises for a silo found dead.
    private const string DeclaredDeadContext = "I have been told I am dead";

    private int _stopping;

    /// <inheritdoc />
    public bool IsUnexpected(Exception exception) => exception is not ThreadAbortException;

    /// <inheritdoc />
    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        // Orleans may report the same death from several of its components; the first one stops the silo.
        if (Interlocked.Exchange(ref _stopping, 1) != 0) return;
        var silo = services.GetService<ILocalSiloDetails>();
        var site = silo?.Name ?? "(unknown)";
        var dead = (context?.Contains(DeclaredDeadContext, StringComparison.Ordinal) ?? false) || IsDeadInMembership(silo);
        var code = dead ? SiloExitCodes.DeclaredDead : SiloExitCodes.FatalError;
        if (dead) LogDeclaredDead(logger, site, silo?.SiloAddress.ToString() ?? "(unknown)", code, context ?? string.Empty);
        else LogFatal(logger, exception, site, code, context ?? string.Empty);

        Environment.ExitCode = code;
        lifetime.StopApplication();
        _ = Task.Run(async () =>
        {
            await Task.Delay(StopGrace).ConfigureAwait(false);
            // The logger may not get to write this before the exit: stderr does.
            await Console.Error.WriteLineAsync($"feddistill-silo ({site}): the host did not stop within {StopGrace.TotalSeconds:F0} s of the fatal error; exiting with code {code}.").ConfigureAwait(false);
            Environment.Exit(code);
        });
    }

    private bool IsDeadInMembership(ILocalSiloDetails? silo) =>
        silo is not null && services.GetService<IClusterMembershipService>()?.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Dead;

    [LoggerMessage(EventId = 4201, Level = LogLevel.Critical,
        Message = "Silo {Site} ({Address}) was declared dead by the cluster while it did not answer; it stops and exits with code {ExitCode}. Start it again: a fresh process joins as a new member. Orleans: {Context}")]
    private static partial void LogDeclaredDead(ILogger logger, string site, string address, int exitCode, string context);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Critical, Message = "Silo {Site} stops on a fatal error and exits with code {ExitCode}: {Context}")]
    private static partial void LogFatal(ILogger logger, Exception? exception, string site, int exitCode, string context);
}
