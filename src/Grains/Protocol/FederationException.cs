namespace FedDistill.Grains.Protocol;

/// <summary>
/// A request the federation refuses, with a machine-readable reason and a message for the sender.
/// Thrown before any state changes, so a refused request leaves the federation as it was.
/// </summary>
public sealed class FederationException : Exception
{
    /// <summary>Creates the refusal.</summary>
    /// <param name="kind">The class of error (maps to an HTTP status).</param>
    /// <param name="reason">A short kebab-case reason for metrics and rejection logs, e.g. <c>wrong-shape</c>.</param>
    /// <param name="message">What is wrong, for the sender, in one sentence.</param>
    public FederationException(FederationErrorKind kind, string reason, string message)
        : base(message)
    {
        Kind = kind;
        Reason = reason;
    }

    /// <summary>The class of error.</summary>
    public FederationErrorKind Kind { get; }

    /// <summary>A short kebab-case reason, e.g. <c>wrong-fingerprint</c>.</summary>
    public string Reason { get; }
}
