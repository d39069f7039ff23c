using System.Security.Cryptography;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Aggregator;

/// <summary>How chunks become an upload: in order, within the limit, checked against the sender's size and hash.</summary>
public sealed class UploadAdmissionTests
{
    private const string Hospital = "hospital-1";
    private const int Round = 3;

    /// <summary>Chunks appended in order are taken back as one payload, byte for byte.</summary>
    [Fact]
    public void Chunks_in_order_are_taken_as_the_payload_they_spell()
    {
        var admission = new UploadAdmission(maxBytes: 1_000);
        var payload = Bytes(250, seed: 1);

        Append(admission, payload, chunk: 100);

        Assert.Equal(payload, admission.Take(Completion(payload)));
    }

    /// <summary>A payload of one piece is taken as the array that carried it: no copy of it is left for the collector.</summary>
    [Fact]
    public void A_payload_of_one_piece_is_taken_without_a_copy()
    {
        var admission = new UploadAdmission(maxBytes: 1_000);
        var payload = Bytes(300, seed: 11);

        admission.Append(new UploadChunk(Hospital, Round, 0, payload));

        Assert.Same(payload, admission.Take(Completion(payload)));
    }

    /// <summary>A chunk that does not continue at the staged length is refused, and the upload must start again.</summary>
    [Theory]
    [InlineData(50)]
    [InlineData(150)]
    [InlineData(-1)]
    public void A_chunk_out_of_order_is_refused_and_drops_the_upload_in_flight(long offset)
    {
        var admission = new UploadAdmission(maxBytes: 1_000);
        admission.Append(new UploadChunk(Hospital, Round, 0, Bytes(100, seed: 2)));

        var error = Assert.Throws<FederationException>(() => admission.Append(new UploadChunk(Hospital, Round, offset, Bytes(10, seed: 3))));

        Assert.Equal((FederationErrorKind.Invalid, "bad-chunk"), (error.Kind, error.Reason));
        Assert.Contains($"offset {offset}", error.Message);
        var continued = Assert.Throws<FederationException>(() => admission.Append(new UploadChunk(Hospital, Round, 100, Bytes(10, seed: 4))));
        Assert.Equal("bad-chunk", continued.Reason);
    }

    /// <summary>A first chunk that is not at offset 0 has nothing to continue.</summary>
    [Fact]
    public void A_first_chunk_not_at_offset_0_is_refused()
    {
        var error = Assert.Throws<FederationException>(() => new UploadAdmission(1_000).Append(new UploadChunk(Hospital, Round, 10, Bytes(10, seed: 5))));

        Assert.Equal("bad-chunk", error.Reason);
    }

    /// <summary>A chunk that continues the right offset but names another round than the upload in flight is refused.</summary>
    [Fact]
    public void A_chunk_of_another_round_than_the_upload_in_flight_is_refused()
    {
        var admission = new UploadAdmission(maxBytes: 1_000);
        admission.Append(new UploadChunk(Hospital, Round, 0, Bytes(10, seed: 6)));

        var error = Assert.Throws<FederationException>(() => admission.Append(new UploadChunk(Hospital, Round + 1, 10, Bytes(10, seed: 7))));

        Assert.Equal("bad-chunk", error.Reason);
    }

    /// <summary>An empty chunk, or one over <see cref="UploadChunk.MaxBytes"/>, is refused whatever the upload's limit.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(UploadChunk.MaxBytes + 1)]
    public void An_empty_or_oversize_chunk_is_refused(int size)
    {
        var admission = new UploadAdmission(maxBytes: 8L * UploadChunk.MaxBytes);

        var error = Assert.Throws<FederationException>(() => admission.Append(new UploadChunk(Hospital, Round, 0, new byte[size])));

        Assert.Equal((FederationErrorKind.Invalid, "bad-chunk"), (error.Kind, error.Reason));
        Assert.Contains($"this one has {size}", error.Message);
    }

    /// <summary>A chunk of exactly <see cref="UploadChunk.MaxBytes"/> is accepted.</summary>
    [Fact]
    public void A_chunk_of_the_largest_size_is_accepted()
    {
        var admission = new UploadAdmission(maxBytes: 2L * UploadChunk.MaxBytes);
        var payload = Bytes(UploadChunk.MaxBytes, seed: 8);

        admission.Append(new UploadChunk(Hospital, Round, 0, payload));

        Assert.Equal(payload, admission.Take(Completion(payload)));
    }

    /// <summary>An upload may reach the limit exactly; the chunk that would pass it is refused as too large and the upload is dropped.</summary>
    [Fact]
    public void Exceeding_the_limit_is_refused_as_too_large_and_drops_the_upload()
    {
        var atLimit = new UploadAdmission(maxBytes: 20);
        var exact = Bytes(20, seed: 9);
        Append(atLimit, exact, chunk: 10);
        Assert.Equal(exact, atLimit.Take(Completion(exact)));

        var admission = new UploadAdmission(maxBytes: 20);
        admission.Append(new UploadChunk(Hospital, Round, 0, Bytes(15, seed: 10)));
        var error = Assert.Throws<FederationException>(() => admission.Append(new UploadChunk(Hospital, Round, 15, Bytes(6, seed: 11))));

        Assert.Equal((FederationErrorKind.PayloadTooLarge, "too-large"), (error.Kind, error.Reason));
        Assert.Contains("20 bytes", error.Message);
        Assert.Equal("bad-chunk", Assert.Throws<FederationException>(() => admission.Take(Completion(Bytes(15, seed: 10)))).Reason);
    }

    /// <summary>A first chunk alone over the limit is refused too.</summary>
    [Fact]
    public void A_first_chunk_over_the_limit_is_refused_as_too_large()
    {
        var error = Assert.Throws<FederationException>(() => new UploadAdmission(maxBytes: 20).Append(new UploadChunk(Hospital, Round, 0, Bytes(21, seed: 12))));

        Assert.Equal("too-large", error.Reason);
    }

    /// <summary>The assembled bytes must hash to what the sender announced; the upload is dropped either way.</summary>
    [Fact]
    public void A_hash_mismatch_is_refused_and_the_upload_is_dropped()
    {
        var admission = new UploadAdmission(maxBytes: 1_000);
        var payload = Bytes(64, seed: 13);
        Append(admission, payload, chunk: 32);
        var tampered = (byte[])payload.Clone();
        tampered[10] ^= 1;

        var error = Assert.Throws<FederationException>(() => admission.Take(Completion(tampered)));

        Assert.Equal((FederationErrorKind.Invalid, "hash-mismatch"), (error.Kind, error.Reason));
        Assert.Contains(Sha256(payload), error.Message);
        Assert.Equal("bad-chunk", Assert.Throws<FederationException>(() => admission.Take(Completion(payload))).Reason);
    }

    /// <summary>The announced hash is compared without regard to case.</summary>
    [Fact]
    public void An_upper_case_hash_is_accepted()
    {
        var admission = new UploadAdmission(maxBytes: 1_000);
        var payload = Bytes(40, seed: 14);
        Append(admission, payload, chunk: 40);

        Assert.Equal(payload, admission.Take(new UploadCompletion(Hospital, Round, payload.Length, Sha256(payload).ToUpperInvariant())));
    }

    /// <summary>Fewer (or more) bytes than announced is refused as incomplete, before the hash is looked at.</summary>
    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void A_size_mismatch_is_refused_as_incomplete(int difference)
    {
        var admission = new UploadAdmission(maxBytes: 1_000);
        var payload = Bytes(50, seed: 15);
        Append(admission, payload, chunk: 25);

        var error = Assert.Throws<FederationException>(() => admission.Take(new UploadCompletion(Hospital, Round, payload.Length + difference, Sha256(payload))));

        Assert.Equal((FederationErrorKind.Invalid, "incomplete"), (error.Kind, error.Reason));
        Assert.Contains($"{payload.Length + difference} bytes but {payload.Length} arrived", error.Message);
    }

    /// <summary>Completing with nothing in flight, for another round than the one in flight, or a second time, is refused.</summary>
    [Fact]
    public void Completing_without_an_upload_in_flight_is_refused()
    {
        var admission = new UploadAdmission(maxBytes: 1_000);
        var payload = Bytes(30, seed: 16);

        Assert.Equal("bad-chunk", Assert.Throws<FederationException>(() => admission.Take(Completion(payload))).Reason);

        Append(admission, payload, chunk: 30);
        var otherRound = Assert.Throws<FederationException>(() => admission.Take(new UploadCompletion(Hospital, Round + 1, payload.Length, Sha256(payload))));
        Assert.Equal("bad-chunk", otherRound.Reason);
        Assert.Contains($"round {Round + 1}", otherRound.Message);

        Append(admission, payload, chunk: 30);
        admission.Take(Completion(payload));
        Assert.Equal("bad-chunk", Assert.Throws<FederationException>(() => admission.Take(Completion(payload))).Reason);
    }

    /// <summary>A chunk at offset 0 starts the organization's upload afresh: what was staged before is discarded.</summary>
    [Fact]
    public void Restarting_at_offset_0_discards_what_was_staged()
    {
        var admission = new UploadAdmission(maxBytes: 1_000);
        admission.Append(new UploadChunk(Hospital, Round, 0, Bytes(70, seed: 17)));
        var payload = Bytes(40, seed: 18);

        Append(admission, payload, chunk: 20);

        Assert.Equal(payload, admission.Take(Completion(payload)));
    }

    /// <summary>Two organizations' uploads in flight at once are staged apart.</summary>
    [Fact]
    public void Uploads_of_two_organizations_are_staged_apart()
    {
        var admission = new UploadAdmission(maxBytes: 1_000);
        var first = Bytes(30, seed: 19);
        var second = Bytes(45, seed: 20);

        admission.Append(new UploadChunk(Hospital, Round, 0, first[..15]));
        admission.Append(new UploadChunk("hospital-2", Round, 0, second[..15]));
        admission.Append(new UploadChunk(Hospital, Round, 15, first[15..]));
        admission.Append(new UploadChunk("hospital-2", Round, 15, second[15..]));

        Assert.Equal(second, admission.Take(new UploadCompletion("hospital-2", Round, second.Length, Sha256(second))));
        Assert.Equal(first, admission.Take(Completion(first)));
    }

    /// <summary>Clearing (the round closed) drops every upload in flight.</summary>
    [Fact]
    public void Clear_drops_every_upload_in_flight()
    {
        var admission = new UploadAdmission(maxBytes: 1_000);
        var payload = Bytes(30, seed: 21);
        Append(admission, payload, chunk: 30);

        admission.Clear();

        Assert.Equal("bad-chunk", Assert.Throws<FederationException>(() => admission.Take(Completion(payload))).Reason);
    }

    private static void Append(UploadAdmission admission, byte[] payload, int chunk)
    {
        for (var offset = 0; offset < payload.Length; offset += chunk)
            admission.Append(new UploadChunk(Hospital, Round, offset, payload.AsSpan(offset, Math.Min(chunk, payload.Length - offset)).ToArray()));
    }

    private static UploadCompletion Completion(byte[] payload) => new(Hospital, Round, payload.Length, Sha256(payload));

    private static string Sha256(byte[] payload) => Convert.ToHexStringLower(SHA256.HashData(payload));

    private static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
