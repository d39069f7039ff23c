namespace FedDistill.Security;

/// <summary>Who a caller is in the federation, as its client certificate (or, in the loopback demo, its header) says.</summary>
/// <param name="Role">What the caller may do.</param>
/// <param name="Name">The participant id or admin name: the certificate subject's CN, valid per <see cref="FederationNames"/>.</param>
public sealed record FederationIdentity(FederationRole Role, string Name)
{
    /// <summary>Whether this is the participant <paramref name="participantId"/> (ordinal comparison); a participant may act only as itself.</summary>
    public bool IsParticipant(string participantId) =>
        Role == FederationRole.Participant && string.Equals(Name, participantId, StringComparison.Ordinal);

    /// <summary>The identity as people read it, e.g. <c>participant 'hospital-a'</c>.</summary>
    public override string ToString() => $"{FederationRoleNames.ToName(Role)} '{Name}'";
}
