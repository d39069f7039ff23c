using FedDistill.Security.SecureSummation;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// The aggregator's side of one secure round in memory: the signed keys, the encrypted bundles it
/// relays, the running sum of masked uploads (no upload is kept apart) and the survivors' revealed
/// shares. The grain stores each accepted step (<see cref="SecureRoundRecord"/> and its artifacts)
/// before it calls the matching <c>Accept</c> method, and a restarted grain rebuilds this object by
/// replaying what was stored. Secrets never reach the aggregator in the clear, so nothing here can
/// rebuild one organization's upload.
/// </summary>
/// <remarks>Not thread-safe: the aggregator grain's turns serialize every call. Each <c>Check</c> method changes nothing.</remarks>
internal sealed class SecureRound : IDisposable
{
    private readonly KeyBinding _binding;
    private readonly Dictionary<string, KeyAdvertisement> _advertisements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<EncryptedShare>> _bundles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RevealedShares> _reveals = new(StringComparer.Ordinal);
    private SecureSummationUnmasker? _unmasker;

    public SecureRound(SecureSummationSession session, KeyBinding binding, IEnumerable<string> organizations)
    {
        Session = session;
        _binding = binding;
        Expected = organizations.ToHashSet(StringComparer.Ordinal);
    }

    public SecureSummationSession Session { get; }

    public SecurePhase Phase { get; private set; } = SecurePhase.Keys;

    /// <summary>The organizations the round was opened for.</summary>
    public IReadOnlySet<string> Expected { get; }

    public IReadOnlyCollection<string> Advertised => _advertisements.Keys;

    public IReadOnlyCollection<string> Shared => _bundles.Keys;

    /// <summary>The organizations whose masked uploads were added, in ordinal order.</summary>
    public IReadOnlyCollection<string> Masked => _unmasker?.Survivors ?? [];

    public IReadOnlyList<string> Survivors { get; private set; } = [];

    public IReadOnlyCollection<string> Revealed => _reveals.Keys;

    /// <summary>When the survivors' reveals are due (set when the reveal phase begins).</summary>
    public DateTimeOffset RevealDeadline { get; private set; }

    /// <summary>Bytes of one masked upload: the packed ring vector.</summary>
    public int MaskedBytes => Session.Ring.PackedBytes(Session.VectorLength);

    /// <summary>The keys an organization advertised, or null.</summary>
    public KeyAdvertisement? AdvertisementOf(string participantId) => _advertisements.GetValueOrDefault(participantId);

    /// <summary>The bundles an organization sent, or null.</summary>
    public IReadOnlyList<EncryptedShare>? BundlesOf(string participantId) => _bundles.GetValueOrDefault(participantId);

    /// <summary>The shares a survivor revealed, or null.</summary>
    public RevealedShares? RevealOf(string participantId) => _reveals.GetValueOrDefault(participantId);

    /// <summary>Checks an organization's keys against the federation's CA.</summary>
    /// <exception cref="SecureSummationException">Not expected, a repeat, or not bound to its certificate.</exception>
    public void CheckAdvertisement(KeyAdvertisement advertisement)
    {
        var id = advertisement.ParticipantId;
        if (!Expected.Contains(id)) throw new SecureSummationException($"'{id}' was not a participant when round {Session.Round} opened, so it takes no part in its secure summation.");
        if (_advertisements.ContainsKey(id)) throw new SecureSummationException($"'{id}' already advertised its keys for round {Session.Round}.");
        var (encryption, masking) = _binding.Verify(Session, advertisement);
        encryption.Dispose();
        masking.Dispose();
    }

    /// <summary>Keeps checked keys.</summary>
    public void AcceptAdvertisement(KeyAdvertisement advertisement) => _advertisements[advertisement.ParticipantId] = advertisement;

    /// <summary>Every organization's keys, in ordinal order.</summary>
    public IReadOnlyList<KeyAdvertisement> Advertisements() =>
        _advertisements.Values.OrderBy(advertisement => advertisement.ParticipantId, StringComparer.Ordinal).ToList();

    /// <summary>
    /// The round's weight-scale exponent, fixed when sharing begins: the largest that the
    /// advertisements state (<see cref="InputScale.Exponent(IEnumerable{KeyAdvertisement})"/>), as
    /// every organization derives it from the same relayed list; a replay derives it again.
    /// </summary>
    public int ScaleExponent { get; private set; }

    /// <summary>Once all have advertised: the round's scale is fixed and the sharing phase begins.</summary>
    public void BeginSharing()
    {
        ScaleExponent = InputScale.Exponent(_advertisements.Values);
        Phase = SecurePhase.Sharing;
    }

    /// <summary>Checks that an organization sent exactly one bundle to each other organization that advertised.</summary>
    /// <exception cref="SecureSummationException">A repeat, or the bundles are not one from it to each peer.</exception>
    public void CheckShares(string participantId, IReadOnlyList<EncryptedShare> bundles)
    {
        if (_bundles.ContainsKey(participantId)) throw new SecureSummationException($"'{participantId}' already sent its shares for round {Session.Round}.");
        var peers = _advertisements.Keys.Where(id => id != participantId).ToHashSet(StringComparer.Ordinal);
        if (bundles.Any(bundle => bundle.From != participantId))
            throw new SecureSummationException($"'{participantId}' sent share bundles in another organization's name.");
        var holders = bundles.Select(bundle => bundle.To).ToList();
        if (holders.Count != peers.Count || !peers.SetEquals(holders))
            throw new SecureSummationException($"'{participantId}' must send exactly one share bundle to each of {string.Join(", ", peers.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>Keeps checked bundles.</summary>
    public void AcceptShares(string participantId, IReadOnlyList<EncryptedShare> bundles) => _bundles[participantId] = bundles;

    /// <summary>Starts the running sum over the organizations that shared; the masking phase begins.</summary>
    public void BeginMasking()
    {
        _unmasker = new SecureSummationUnmasker(Session, _binding, _advertisements.Values.ToList(), _bundles.Keys.ToList());
        Phase = SecurePhase.Masking;
    }

    /// <summary>The bundles addressed to <paramref name="participantId"/>.</summary>
    public IReadOnlyList<EncryptedShare> BundlesFor(string participantId) =>
        _bundles.Values.SelectMany(bundles => bundles).Where(bundle => bundle.To == participantId).ToList();

    /// <summary>Checks that a masked upload can be added: a shareholder's, of the packed ring vector's length, its padding bits zero.</summary>
    /// <exception cref="SecureSummationException">The sender did not share, or the length or the padding is wrong.</exception>
    public void CheckMasked(string participantId, byte[] payload)
    {
        if (!_bundles.ContainsKey(participantId))
            throw new SecureSummationException($"'{participantId}' did not share keys in round {Session.Round}, so its masked upload cannot be unmasked.");
        if (payload.Length != MaskedBytes)
            throw new SecureSummationException($"A masked upload of round {Session.Round} has {MaskedBytes} bytes ({Session.VectorLength} ring elements of {Session.Ring.RingBits} bits); '{participantId}' sent {payload.Length}.");
        var padding = (int)(8L * MaskedBytes - (long)Session.VectorLength * Session.Ring.RingBits);
        if (padding > 0 && payload[^1] >> (8 - padding) != 0)
            throw new SecureSummationException($"The masked upload of '{participantId}' in round {Session.Round} has non-zero padding bits after its last ring element.");
    }

    /// <summary>Adds a checked masked upload to the running sum.</summary>
    public void AddMasked(string participantId, byte[] payload) =>
        _unmasker!.Add(new MaskedInput(participantId, Session.Ring.Unpack(payload)));

    /// <summary>Whether every organization that shared has uploaded.</summary>
    public bool AllUploaded => _unmasker is { } unmasker && unmasker.Survivors.Count == _bundles.Count;

    /// <summary>Fixes the survivors (the organizations whose masked uploads were added); the reveal phase begins.</summary>
    public IReadOnlyList<string> BeginRevealing(DateTimeOffset deadline)
    {
        Survivors = _unmasker!.Survivors.ToList();
        RevealDeadline = deadline;
        Phase = SecurePhase.Revealing;
        return Survivors;
    }

    /// <summary>Checks a survivor's revealed shares can be kept.</summary>
    /// <exception cref="SecureSummationException">Not a survivor, or a repeat.</exception>
    public void CheckReveal(RevealedShares reveal)
    {
        if (!Survivors.Contains(reveal.From)) throw new SecureSummationException($"'{reveal.From}' is not a survivor of round {Session.Round}; only survivors reveal shares.");
        if (_reveals.ContainsKey(reveal.From)) throw new SecureSummationException($"'{reveal.From}' already revealed its shares for round {Session.Round}.");
    }

    /// <summary>Keeps checked revealed shares.</summary>
    public void AcceptReveal(RevealedShares reveal) => _reveals[reveal.From] = reveal;

    public bool AllRevealed => Phase == SecurePhase.Revealing && _reveals.Count == Survivors.Count;

    public bool CanUnmask => Phase == SecurePhase.Revealing && _reveals.Count >= Session.Threshold;

    /// <summary>Removes the masks: the sum over the survivors.</summary>
    /// <exception cref="SecureSummationException">Too few or wrong shares.</exception>
    public SecureSummationResult Unmask() => _unmasker!.Unmask(_reveals.Values.ToList());

    public void Dispose() => _unmasker?.Dispose();

    /// <summary>Whether two advertisements are the same bytes (a retried call), not merely the same organization's.</summary>
    public static bool Same(KeyAdvertisement a, KeyAdvertisement b) =>
        a.ParticipantId == b.ParticipantId && a.EncryptionPublicKey.AsSpan().SequenceEqual(b.EncryptionPublicKey) && a.MaskingPublicKey.AsSpan().SequenceEqual(b.MaskingPublicKey)
        && a.Certificate.AsSpan().SequenceEqual(b.Certificate) && a.Signature.AsSpan().SequenceEqual(b.Signature) && a.ScaleExponent == b.ScaleExponent;

    /// <summary>Whether two lists of bundles are the same bytes in the same order.</summary>
    public static bool Same(IReadOnlyList<EncryptedShare> a, IReadOnlyList<EncryptedShare> b) =>
        a.Count == b.Count && a.Zip(b).All(pair => pair.First.From == pair.Second.From && pair.First.To == pair.Second.To
            && pair.First.Nonce.AsSpan().SequenceEqual(pair.Second.Nonce) && pair.First.Ciphertext.AsSpan().SequenceEqual(pair.Second.Ciphertext)
            && pair.First.Tag.AsSpan().SequenceEqual(pair.Second.Tag));

    /// <summary>Whether two reveals hold the same shares.</summary>
    public static bool Same(RevealedShares a, RevealedShares b)
    {
        static bool SameShares(IReadOnlyDictionary<string, SecretShare> x, IReadOnlyDictionary<string, SecretShare> y) =>
            x.Count == y.Count && x.All(pair => y.TryGetValue(pair.Key, out var other) && other.X == pair.Value.X && other.Y.AsSpan().SequenceEqual(pair.Value.Y));
        return a.From == b.From && SameShares(a.SelfMaskSeedShares, b.SelfMaskSeedShares) && SameShares(a.MaskingKeyShares, b.MaskingKeyShares);
    }
}
