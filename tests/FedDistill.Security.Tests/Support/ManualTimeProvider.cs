namespace FedDistill.Security.Tests.Support;

/// <summary>A clock that reads whatever the test set.</summary>
public sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
