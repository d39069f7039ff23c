using System.Security.Cryptography;
using System.Text;

namespace FedDistill.Security.SecureSummation;

/// <summary>
/// What every party of one secure summation agrees on before it starts: the federation and round
/// (both enter every key derivation and signature, so nothing carries over to another round or
/// federation), the threshold t, the length of the summed vector and the fixed-point ring.
/// </summary>
/// <param name="FederationName">The federation's name, as in its CA's subject.</param>
/// <param name="Round">The round number, at least 1.</param>
/// <param name="Threshold">t: the organizations that must survive to the end, at least 2; up to n − t of the n that shared keys may drop out.</param>
/// <param name="VectorLength">Ring elements each organization sums, at least 1 (e.g. public examples × classes).</param>
/// <param name="Ring">The fixed-point encoding.</param>
public sealed record SecureSummationSession(string FederationName, int Round, int Threshold, int VectorLength, FixedPointRing Ring)
{
    /// <summary>Every problem with these settings, each naming the property; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (FederationNames.ValidateFederationName(FederationName) is { } problem) errors.Add($"SecureSummationSession.FederationName: {problem}");
        if (Round < 1) errors.Add($"SecureSummationSession.Round is {Round}; it must be at least 1.");
        if (Threshold < 2 || Threshold > ShamirSecretSharing.MaxShares)
            errors.Add($"SecureSummationSession.Threshold is {Threshold}; it must lie in [2, {ShamirSecretSharing.MaxShares}] (with 1, one organization's share would reveal another's secrets).");
        if (Threshold > Ring?.MaxSummands) errors.Add($"SecureSummationSession.Threshold is {Threshold}, above the ring's {Ring.MaxSummands} summands.");
        if (VectorLength < 1) errors.Add($"SecureSummationSession.VectorLength is {VectorLength}; it must be at least 1.");
        if (Ring is null) errors.Add("SecureSummationSession.Ring is missing.");
        return errors;
    }

    /// <summary>Throws when <see cref="Validate"/> finds a problem.</summary>
    internal void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
    }

    /// <summary>The bytes every signature and key derivation of this session is bound to, with a label and two names.</summary>
    internal byte[] Context(string label, string first, string second) =>
        Encoding.UTF8.GetBytes($"feddistill/secure-summation/v1/{label}\n{FederationName}\n{Round}\n{first}\n{second}");

    /// <summary>The 32-byte seed of the pairwise mask between two organizations, from their masking keys' ECDH secret.</summary>
    internal byte[] PairwiseSeed(ECDiffieHellman own, ECDiffieHellman peer, string ownId, string peerId)
    {
        using var peerKey = peer.PublicKey;
        var shared = own.DeriveRawSecretAgreement(peerKey);
        try
        {
            var (low, high) = string.CompareOrdinal(ownId, peerId) < 0 ? (ownId, peerId) : (peerId, ownId);
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, MaskGenerator.SeedBytes, [], Context("pairwise-mask", low, high));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    /// <summary>The AES-GCM key two organizations encrypt their shares under, from their encryption keys' ECDH secret.</summary>
    internal byte[] ShareKey(ECDiffieHellman own, ECDiffieHellman peer, string ownId, string peerId)
    {
        using var peerKey = peer.PublicKey;
        var shared = own.DeriveRawSecretAgreement(peerKey);
        try
        {
            var (low, high) = string.CompareOrdinal(ownId, peerId) < 0 ? (ownId, peerId) : (peerId, ownId);
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, [], Context("share-encryption", low, high));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }
}
