using Microsoft.Extensions.Hosting;

namespace FedDistill.Serving.Hosting;

/// <summary>
/// A host lifetime that leaves the process's signals alone: a <see cref="StudentServer"/> lives in
/// someone else's process (the console, a test, a benchmark), which decides when it stops, instead
/// of the console lifetime's Ctrl+C handler stopping it behind its owner's back.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
