namespace FedDistill.Grains.Aggregator;

/// <summary>Where a secure round stands: each phase waits for every organization of the one before. Stored in <see cref="SecureRoundRecord"/>.</summary>
[GenerateSerializer]
public enum SecurePhase
{
    /// <summary>Organizations advertise their signed keys.</summary>
    Keys,

    /// <summary>Organizations send their encrypted shares, one bundle for each peer.</summary>
    Sharing,

    /// <summary>Organizations upload their masked sums.</summary>
    Masking,

    /// <summary>Survivors reveal the shares that remove the masks.</summary>
    Revealing,
}
