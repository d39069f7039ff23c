namespace FedDistill.Grains.Protocol;

/// <summary>
/// A request the federation refuses, with a machine-readable reason and a message for the sender.
/// Thrown before any state changes, so a refused request leaves the federation as it was. It
/// crosses grain calls intact (kind, reason and message), so a caller in another process can act
/// on the reason.
/// </summary>
[GenerateSerializer]
public sealed class FederationException : Exception
{
    /// <summary>Creates the refusal.</summary>
    /// <param name="kind">The class of error.</param>
    /// <param name="reason">A short kebab-case reason for metrics and rejection logs, e.g. <c>wrong-shape</c>.</param>
    /// <param name="message">What is wrong, for the sender, in one sentence.</param>
    public FederationException(FederationErrorKind kind, string reason, string message)
        : base(message)
    {
        Kind = kind;
        Reason = reason;
    }

    /// <summary>The class of error.</summary>
    [Id(0)]
    public FederationErrorKind Kind { get; private set; }

    /// <summary>A short kebab-case reason, e.g. <c>wrong-fingerprint</c>.</summary>
    [Id(1)]
    public string Reason { get; private set; }
}
