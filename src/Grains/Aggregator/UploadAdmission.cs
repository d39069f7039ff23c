using System.Buffers;
using System.Security.Cryptography;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// Assembles organizations' uploads from their chunks: in order, within the size limit, one upload
/// in flight per organization. Nothing here touches a round: a payload only reaches the round
/// after <see cref="Take"/> returns it and every check of the codec passed.
/// </summary>
/// <param name="maxBytes">The largest payload accepted.</param>
internal sealed class UploadAdmission(long maxBytes)
{
    private readonly Dictionary<string, (int Round, ArrayBufferWriter<byte> Buffer)> _staged = new(StringComparer.Ordinal);

    /// <summary>Appends a chunk; a chunk at offset 0 starts the organization's upload afresh.</summary>
    /// <exception cref="FederationException">Out of order, too large, or for another round than the one in flight.</exception>
    public void Append(UploadChunk chunk)
    {
        if (chunk.Data is null || chunk.Data.Length == 0 || chunk.Data.Length > UploadChunk.MaxBytes)
            throw new FederationException(FederationErrorKind.Invalid, "bad-chunk", $"A chunk carries 1 to {UploadChunk.MaxBytes} bytes; this one has {chunk.Data?.Length ?? 0}.");
        if (chunk.Offset == 0) _staged[chunk.ParticipantId] = (chunk.Round, new ArrayBufferWriter<byte>(chunk.Data.Length));
        if (!_staged.TryGetValue(chunk.ParticipantId, out var staged) || staged.Round != chunk.Round || staged.Buffer.WrittenCount != chunk.Offset)
        {
            _staged.Remove(chunk.ParticipantId);
            throw new FederationException(FederationErrorKind.Invalid, "bad-chunk",
                $"Chunk at offset {chunk.Offset} of round {chunk.Round} does not continue an upload in flight; start again at offset 0.");
        }

        if (staged.Buffer.WrittenCount + (long)chunk.Data.Length > maxBytes)
        {
            _staged.Remove(chunk.ParticipantId);
            throw new FederationException(FederationErrorKind.PayloadTooLarge, "too-large", $"The upload exceeds the federation's limit of {maxBytes} bytes.");
        }

        staged.Buffer.Write(chunk.Data);
    }

    /// <summary>The assembled payload, once its size and hash match what the sender says it sent; the staging is freed either way.</summary>
    /// <exception cref="FederationException">No upload in flight, or a size or hash mismatch.</exception>
    public byte[] Take(UploadCompletion completion)
    {
        if (!_staged.Remove(completion.ParticipantId, out var staged) || staged.Round != completion.Round)
            throw new FederationException(FederationErrorKind.Invalid, "bad-chunk", $"No upload to round {completion.Round} is in flight from '{completion.ParticipantId}'.");
        var payload = staged.Buffer.WrittenSpan.ToArray();
        if (payload.Length != completion.Bytes)
            throw new FederationException(FederationErrorKind.Invalid, "incomplete", $"The upload announced {completion.Bytes} bytes but {payload.Length} arrived.");
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(payload));
        if (!string.Equals(sha256, completion.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new FederationException(FederationErrorKind.Invalid, "hash-mismatch", $"The upload's SHA-256 is {sha256}, not the announced {completion.Sha256}.");
        return payload;
    }

    /// <summary>Drops every upload in flight (the round closed).</summary>
    public void Clear() => _staged.Clear();
}
