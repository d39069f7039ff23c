namespace FedDistill.Security.SecureSummation;

/// <summary>
/// An organization's upload under secure summation: its fixed-point vector plus its self mask and
/// its pairwise masks, in Z_2^k (each word below 2^k; <see cref="FixedPointRing.Pack"/> gives the
/// k bits a word that travel, bit-packed). Alone it is uniformly distributed whatever the input; only the
/// sum over the survivors, with the masks removed, means anything.
/// </summary>
/// <param name="ParticipantId">The organization.</param>
/// <param name="Values">The masked ring elements, <see cref="SecureSummationSession.VectorLength"/> of them, each below 2^k.</param>
public sealed record MaskedInput(string ParticipantId, uint[] Values);
