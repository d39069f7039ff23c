using System.Diagnostics.CodeAnalysis;

namespace FedDistill.Security;

/// <summary>The outcome of checking a presented client certificate: the identity, or a reason for people to read.</summary>
public sealed record FederationIdentityResult
{
    private FederationIdentityResult(FederationIdentity? identity, string? failureReason)
    {
        Identity = identity;
        FailureReason = failureReason;
    }

    /// <summary>The caller's identity when <see cref="Succeeded"/>.</summary>
    public FederationIdentity? Identity { get; }

    /// <summary>Why the certificate was refused (e.g. "certificate was not issued by this federation's CA"), when not <see cref="Succeeded"/>.</summary>
    public string? FailureReason { get; }

    /// <summary>Whether the certificate proves <see cref="Identity"/>.</summary>
    [MemberNotNullWhen(true, nameof(Identity))]
    [MemberNotNullWhen(false, nameof(FailureReason))]
    public bool Succeeded => Identity is not null;

    /// <summary>A certificate that proves <paramref name="identity"/>.</summary>
    public static FederationIdentityResult Success(FederationIdentity identity) =>
        new(identity ?? throw new ArgumentNullException(nameof(identity)), null);

    /// <summary>A refused certificate and the reason.</summary>
    public static FederationIdentityResult Failure(string reason) =>
        new(null, string.IsNullOrWhiteSpace(reason) ? throw new ArgumentException("A failure needs a reason.", nameof(reason)) : reason);
}
