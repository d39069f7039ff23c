namespace FedDistill.Grains.Clients;

/// <summary>
/// One organization in the federation: owns its private data and teachers, dials out to the
/// aggregator, and shares nothing but its teachers' logits on the public set.
/// </summary>
public interface IClientGrain
{
    /// <summary>The organization's identity.</summary>
    string ParticipantId { get; }

    /// <summary>
    /// Learns the federation's public set, builds the local copy and verifies its fingerprint,
    /// loads the private data and trains (or restores) the teachers.
    /// </summary>
    /// <exception cref="InvalidOperationException">The local public set does not match the federation's fingerprint.</exception>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Asks for work once and does it; true when it uploaded to a round.</summary>
    Task<bool> WorkOnceAsync(CancellationToken cancellationToken);

    /// <summary>Prepares, then polls and works until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
