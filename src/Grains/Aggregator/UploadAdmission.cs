using System.Security.Cryptography;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// Assembles organizations' uploads from their chunks: in order, within the size limit, one upload
/// in flight per organization. Nothing here touches a round: a payload only reaches the round
/// after <see cref="Take"/> returns it and every check of the codec passed.
/// </summary>
/// <remarks>
/// The chunks are kept as they arrived (each a fresh array from its message) and joined only when
/// there are several: a payload of one piece, the usual upload, is taken without a copy. Payloads
/// are large-object-heap arrays, which only a full collection frees, so copies made per upload
/// piled up in the aggregator's memory between collections.
/// </remarks>
/// <param name="maxBytes">The largest payload accepted.</param>
internal sealed class UploadAdmission(long maxBytes)
{
    private readonly Dictionary<string, Staged> _staged = new(StringComparer.Ordinal);

    /// <summary>Appends a chunk; a chunk at offset 0 starts the organization's upload afresh.</summary>
    /// <exception cref="FederationException">Out of order, too large, or for another round than the one in flight.</exception>
    public void Append(UploadChunk chunk)
    {
        if (chunk.Data is null || chunk.Data.Length == 0 || chunk.Data.Length > UploadChunk.MaxBytes)
            throw new FederationException(FederationErrorKind.Invalid, "bad-chunk", $"A chunk carries 1 to {UploadChunk.MaxBytes} bytes; this one has {chunk.Data?.Length ?? 0}.");
        if (chunk.Offset == 0) _staged[chunk.ParticipantId] = new Staged(chunk.Round);
        if (!_staged.TryGetValue(chunk.ParticipantId, out var staged) || staged.Round != chunk.Round || staged.Bytes != chunk.Offset)
        {
            _staged.Remove(chunk.ParticipantId);
            throw new FederationException(FederationErrorKind.Invalid, "bad-chunk",
                $"Chunk at offset {chunk.Offset} of round {chunk.Round} does not continue an upload in flight; start again at offset 0.");
        }

        if (staged.Bytes + chunk.Data.Length > maxBytes)
        {
            _staged.Remove(chunk.ParticipantId);
            throw new FederationException(FederationErrorKind.PayloadTooLarge, "too-large", $"The upload exceeds the federation's limit of {maxBytes} bytes.");
        }

        staged.Pieces.Add(chunk.Data);
        staged.Bytes += chunk.Data.Length;
    }

    /// <summary>The assembled payload, once its size and hash match what the sender says it sent; the staging is freed either way.</summary>
    /// <exception cref="FederationException">No upload in flight, or a size or hash mismatch.</exception>
    public byte[] Take(UploadCompletion completion)
    {
        if (!_staged.Remove(completion.ParticipantId, out var staged) || staged.Round != completion.Round)
            throw new FederationException(FederationErrorKind.Invalid, "bad-chunk", $"No upload to round {completion.Round} is in flight from '{completion.ParticipantId}'.");
        if (staged.Bytes != completion.Bytes)
            throw new FederationException(FederationErrorKind.Invalid, "incomplete", $"The upload announced {completion.Bytes} bytes but {staged.Bytes} arrived.");
        var payload = staged.Pieces.Count == 1 ? staged.Pieces[0] : Join(staged);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(payload));
        if (!string.Equals(sha256, completion.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new FederationException(FederationErrorKind.Invalid, "hash-mismatch", $"The upload's SHA-256 is {sha256}, not the announced {completion.Sha256}.");
        return payload;
    }

    /// <summary>Drops every upload in flight (the round closed).</summary>
    public void Clear() => _staged.Clear();

    private static byte[] Join(Staged staged)
    {
        var payload = new byte[staged.Bytes];
        var offset = 0;
        foreach (var piece in staged.Pieces)
        {
            piece.CopyTo(payload, offset);
            offset += piece.Length;
        }

        return payload;
    }

    private sealed class Staged(int round)
    {
        public int Round { get; } = round;

        public List<byte[]> Pieces { get; } = [];

        public long Bytes { get; set; }
    }
}
