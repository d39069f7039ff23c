using FedDistill.Security.SecureSummation;

namespace FedDistill.Grains.Aggregator;

/// <summary>Where a secure round stands: each phase waits for every organization of the one before.</summary>
internal enum SecurePhase
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

/// <summary>
/// The aggregator's side of one secure round, in memory only: the signed keys, the encrypted
/// bundles it relays, the running sum of masked uploads (no upload is kept apart) and the
/// survivors' revealed shares. Secrets never reach the aggregator in the clear, so nothing here
/// can rebuild one organization's upload.
/// </summary>
/// <remarks>Not thread-safe: the aggregator grain's turns serialize every call.</remarks>
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

    public IReadOnlyList<string> Survivors { get; private set; } = [];

    public IReadOnlyCollection<string> Revealed => _reveals.Keys;

    /// <summary>When the survivors' reveals are due (set when the reveal phase begins).</summary>
    public DateTimeOffset RevealDeadline { get; private set; }

    /// <summary>Bytes of one masked upload: the packed ring vector.</summary>
    public int MaskedBytes => Session.VectorLength * Session.Ring.ElementBytes;

    /// <summary>Checks an organization's keys against the federation's CA and keeps them.</summary>
    /// <exception cref="SecureSummationException">Not expected, a repeat, or not bound to its certificate.</exception>
    public void Advertise(KeyAdvertisement advertisement)
    {
        var id = advertisement.ParticipantId;
        if (!Expected.Contains(id)) throw new SecureSummationException($"'{id}' was not a participant when round {Session.Round} opened, so it takes no part in its secure summation.");
        if (_advertisements.ContainsKey(id)) throw new SecureSummationException($"'{id}' already advertised its keys for round {Session.Round}.");
        var (encryption, masking) = _binding.Verify(Session, advertisement);
        encryption.Dispose();
        masking.Dispose();
        _advertisements[id] = advertisement;
    }

    /// <summary>Every organization's keys, once all have advertised; the sharing phase begins.</summary>
    public IReadOnlyList<KeyAdvertisement> BeginSharing()
    {
        Phase = SecurePhase.Sharing;
        return _advertisements.Values.OrderBy(advertisement => advertisement.ParticipantId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Keeps an organization's bundles after checking it sent exactly one to each other organization that advertised.</summary>
    /// <exception cref="SecureSummationException">A repeat, or the bundles are not one from it to each peer.</exception>
    public void Share(string participantId, IReadOnlyList<EncryptedShare> bundles)
    {
        if (_bundles.ContainsKey(participantId)) throw new SecureSummationException($"'{participantId}' already sent its shares for round {Session.Round}.");
        var peers = _advertisements.Keys.Where(id => id != participantId).ToHashSet(StringComparer.Ordinal);
        if (bundles.Any(bundle => bundle.From != participantId))
            throw new SecureSummationException($"'{participantId}' sent share bundles in another organization's name.");
        var holders = bundles.Select(bundle => bundle.To).ToList();
        if (holders.Count != peers.Count || !peers.SetEquals(holders))
            throw new SecureSummationException($"'{participantId}' must send exactly one share bundle to each of {string.Join(", ", peers.Order(StringComparer.Ordinal))}.");
        _bundles[participantId] = bundles;
    }

    /// <summary>Starts the running sum over the organizations that shared; the masking phase begins.</summary>
    public void BeginMasking()
    {
        _unmasker = new SecureSummationUnmasker(Session, _binding, _advertisements.Values.ToList(), _bundles.Keys.ToList());
        Phase = SecurePhase.Masking;
    }

    /// <summary>The bundles addressed to <paramref name="participantId"/>.</summary>
    public IReadOnlyList<EncryptedShare> BundlesFor(string participantId) =>
        _bundles.Values.SelectMany(bundles => bundles).Where(bundle => bundle.To == participantId).ToList();

    /// <summary>Checks that a masked upload can be added: a shareholder's, of the ring vector's length.</summary>
    /// <exception cref="SecureSummationException">The sender did not share, or the length is wrong.</exception>
    public void CheckMasked(string participantId, byte[] payload)
    {
        if (!_bundles.ContainsKey(participantId))
            throw new SecureSummationException($"'{participantId}' did not share keys in round {Session.Round}, so its masked upload cannot be unmasked.");
        if (payload.Length != MaskedBytes)
            throw new SecureSummationException($"A masked upload of round {Session.Round} has {MaskedBytes} bytes ({Session.VectorLength} ring elements of {Session.Ring.ElementBytes}); '{participantId}' sent {payload.Length}.");
    }

    /// <summary>Adds a checked masked upload to the running sum.</summary>
    public void AddMasked(string participantId, byte[] payload) =>
        _unmasker!.Add(new MaskedInput(participantId, Session.Ring.Unpack(payload)));

    /// <summary>Whether every organization that shared has uploaded.</summary>
    public bool AllUploaded => _unmasker is { } unmasker && unmasker.Survivors.Count == _bundles.Count;

    /// <summary>Fixes the survivors; the reveal phase begins.</summary>
    public IReadOnlyList<string> BeginRevealing(DateTimeOffset deadline)
    {
        Survivors = _unmasker!.Survivors.ToList();
        RevealDeadline = deadline;
        Phase = SecurePhase.Revealing;
        return Survivors;
    }

    /// <summary>Keeps a survivor's revealed shares.</summary>
    /// <exception cref="SecureSummationException">Not a survivor, or a repeat.</exception>
    public void Reveal(RevealedShares reveal)
    {
        if (!Survivors.Contains(reveal.From)) throw new SecureSummationException($"'{reveal.From}' is not a survivor of round {Session.Round}; only survivors reveal shares.");
        if (_reveals.ContainsKey(reveal.From)) throw new SecureSummationException($"'{reveal.From}' already revealed its shares for round {Session.Round}.");
        _reveals[reveal.From] = reveal;
    }

    public bool AllRevealed => Phase == SecurePhase.Revealing && _reveals.Count == Survivors.Count;

    public bool CanUnmask => Phase == SecurePhase.Revealing && _reveals.Count >= Session.Threshold;

    /// <summary>Removes the masks: the sum over the survivors.</summary>
    /// <exception cref="SecureSummationException">Too few or wrong shares.</exception>
    public SecureSummationResult Unmask() => _unmasker!.Unmask(_reveals.Values.ToList());

    public void Dispose() => _unmasker?.Dispose();
}
