using System.Security.Cryptography;

namespace FedDistill.Security.SecureSummation;

/// <summary>
/// The aggregator's side of a secure summation: folds each masked input into one running sum as
/// it arrives (so it never keeps an input apart from the others), and at the end removes the masks
/// from the survivors' shares: each survivor's self mask from its rebuilt seed, and the pairwise
/// masks survivors shared with an organization that dropped out from that organization's rebuilt
/// masking key. Up to n − t organizations of the n that shared keys may drop out.
/// </summary>
/// <remarks>Not thread-safe: the owner (one aggregator grain turn at a time) serializes calls. Dispose to release the peers' public keys.</remarks>
public sealed class SecureSummationUnmasker : IDisposable
{
    private readonly SecureSummationSession _session;
    private readonly Dictionary<string, (ECDiffieHellman Encryption, ECDiffieHellman Masking)> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _maskingPublicKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _shareholders;
    private readonly SortedSet<string> _survivors = new(StringComparer.Ordinal);
    private readonly uint[] _sum;

    /// <summary>Starts unmasking one round.</summary>
    /// <param name="session">The round's settings, the same at every party.</param>
    /// <param name="binding">Checks the organizations' keys against the federation's CA.</param>
    /// <param name="advertisements">Every organization's key advertisement (step 1).</param>
    /// <param name="shareholders">The organizations that sent share bundles (step 2): the ones every masked input is masked against.</param>
    /// <exception cref="SecureSummationException">An advertisement is not bound to the federation, or a shareholder advertised no keys, or fewer than t shared keys.</exception>
    public SecureSummationUnmasker(SecureSummationSession session, KeyBinding binding, IReadOnlyList<KeyAdvertisement> advertisements, IReadOnlyCollection<string> shareholders)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(advertisements);
        ArgumentNullException.ThrowIfNull(shareholders);
        session.EnsureValid();
        _session = session;
        _shareholders = shareholders.ToHashSet(StringComparer.Ordinal);
        if (_shareholders.Count < session.Threshold)
            throw new SecureSummationException($"Only {_shareholders.Count} organization(s) shared keys; the threshold is {session.Threshold}.");
        try
        {
            foreach (var advertisement in advertisements.Where(advertisement => _shareholders.Contains(advertisement.ParticipantId)))
            {
                if (_keys.ContainsKey(advertisement.ParticipantId))
                    throw new SecureSummationException($"Organization '{advertisement.ParticipantId}' advertised keys twice.");
                _keys[advertisement.ParticipantId] = binding.Verify(session, advertisement);
                _maskingPublicKeys[advertisement.ParticipantId] = advertisement.MaskingPublicKey;
            }
            if (_shareholders.FirstOrDefault(id => !_keys.ContainsKey(id)) is { } missing)
                throw new SecureSummationException($"Organization '{missing}' shared keys but advertised none.");
        }
        catch
        {
            Dispose();
            throw;
        }
        _sum = new uint[session.VectorLength];
    }

    /// <summary>The organizations whose masked inputs have been added, in ordinal order.</summary>
    public IReadOnlyCollection<string> Survivors => _survivors;

    /// <summary>Adds one masked input to the running sum; the input itself is not kept.</summary>
    /// <exception cref="SecureSummationException">The sender did not share keys, already sent an input, or sent the wrong length.</exception>
    public void Add(MaskedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!_shareholders.Contains(input.ParticipantId))
            throw new SecureSummationException($"'{input.ParticipantId}' did not share keys this round, so its masked input cannot be unmasked.");
        if (_survivors.Contains(input.ParticipantId)) throw new SecureSummationException($"'{input.ParticipantId}' already sent its masked input.");
        if (input.Values.Length != _session.VectorLength)
            throw new SecureSummationException($"The masked input of '{input.ParticipantId}' has {input.Values.Length} elements; this round sums {_session.VectorLength}.");
        if (!_session.Ring.Holds(input.Values))
            throw new SecureSummationException($"The masked input of '{input.ParticipantId}' has elements outside Z_2^{_session.Ring.RingBits}.");
        FixedPointRing.Add(_sum, input.Values);
        _survivors.Add(input.ParticipantId);
    }

    /// <summary>Removes the masks with the survivors' revealed shares and decodes the sum.</summary>
    /// <param name="reveals">Each answering survivor's <see cref="RevealedShares"/>; at least t of them.</param>
    /// <exception cref="SecureSummationException">Fewer than t survivors or answers, an answer from a non-survivor, a missing share, or a rebuilt key that does not match its owner's signed public key.</exception>
    public SecureSummationResult Unmask(IReadOnlyList<RevealedShares> reveals)
    {
        ArgumentNullException.ThrowIfNull(reveals);
        var threshold = _session.Threshold;
        if (_survivors.Count < threshold)
            throw new SecureSummationException($"Only {_survivors.Count} masked input(s) arrived; the threshold is {threshold}, so the sum cannot be unmasked.");
        var answers = reveals.Where(reveal => _survivors.Contains(reveal.From)).DistinctBy(reveal => reveal.From).ToList();
        if (reveals.FirstOrDefault(reveal => !_survivors.Contains(reveal.From)) is { } stranger)
            throw new SecureSummationException($"'{stranger.From}' revealed shares but is not a survivor.");
        if (answers.Count < threshold)
            throw new SecureSummationException($"{answers.Count} survivor(s) revealed shares; {threshold} are needed.");

        var sum = (uint[])_sum.Clone();
        foreach (var survivor in _survivors)
        {
            var seed = Rebuild(answers, reveal => reveal.SelfMaskSeedShares, survivor, "self-mask seed");
            MaskGenerator.Apply(seed, sum, subtract: true);
            CryptographicOperations.ZeroMemory(seed);
        }
        var dropped = _shareholders.Where(id => !_survivors.Contains(id)).Order(StringComparer.Ordinal).ToList();
        foreach (var gone in dropped)
        {
            var secret = Rebuild(answers, reveal => reveal.MaskingKeyShares, gone, "masking key");
            using var key = ECDiffieHellman.Create();
            try
            {
                key.ImportECPrivateKey(secret, out _);
            }
            catch (CryptographicException exception)
            {
                throw new SecureSummationException($"The rebuilt masking key of '{gone}' is not a key: a share was wrong.", exception);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
            }
            if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(_maskingPublicKeys[gone]))
                throw new SecureSummationException($"The rebuilt masking key of '{gone}' does not match the key it signed: a share was wrong.");
            foreach (var survivor in _survivors)
            {
                // The survivor added this mask if its id sorts first and subtracted it otherwise; undo that.
                var seed = _session.PairwiseSeed(key, _keys[survivor].Masking, gone, survivor);
                MaskGenerator.Apply(seed, sum, subtract: string.CompareOrdinal(survivor, gone) < 0);
                CryptographicOperations.ZeroMemory(seed);
            }
        }
        var decoded = new double[sum.Length];
        _session.Ring.Decode(sum, decoded);
        return new SecureSummationResult(decoded, _survivors.ToList(), dropped);
    }

    /// <summary>Releases the organizations' public keys.</summary>
    public void Dispose()
    {
        foreach (var (encryption, masking) in _keys.Values)
        {
            encryption.Dispose();
            masking.Dispose();
        }
        _keys.Clear();
    }

    private byte[] Rebuild(List<RevealedShares> answers, Func<RevealedShares, IReadOnlyDictionary<string, SecretShare>> pick, string owner, string what)
    {
        var shares = answers.Select(pick).Where(shares => shares.ContainsKey(owner)).Select(shares => shares[owner]).ToList();
        if (shares.Count < _session.Threshold)
            throw new SecureSummationException($"Only {shares.Count} share(s) of the {what} of '{owner}' were revealed; {_session.Threshold} are needed.");
        try
        {
            return ShamirSecretSharing.Combine(shares, _session.Threshold);
        }
        catch (ArgumentException exception)
        {
            throw new SecureSummationException($"The shares of the {what} of '{owner}' do not fit together: {exception.Message}", exception);
        }
    }
}
