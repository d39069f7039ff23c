using FedDistill.Security.SecureSummation;

namespace FedDistill.Security.Tests.SecureSummation;

public sealed class SecureSummationProtocolTests(SecureSummationFederation federation) : IClassFixture<SecureSummationFederation>
{
    public static TheoryData<int> RingWidths => new(32, 31, 24);

    private static FixedPointRing Preset(int bits) => bits switch
    {
        32 => FixedPointRing.Standard,
        31 => FixedPointRing.Packed31,
        _ => FixedPointRing.Compact,
    };

    /// <summary>Five organizations, threshold 3, random logits: the unmasked sum is the plain sum within 5 · 2^-(F+1) per element, in both rings.</summary>
    [Theory]
    [MemberData(nameof(RingWidths))]
    public void Unmasked_sum_equals_the_plain_sum_within_the_ring_precision(int bits)
    {
        var session = SecureSummationFederation.Session(threshold: 3, length: 2000, ring: Preset(bits));
        var inputs = RandomInputs(5, session.VectorLength, seed: 1);
        var (result, _) = federation.Run(session, inputs);
        Assert.Equal(["org-0", "org-1", "org-2", "org-3", "org-4"], result.Contributors);
        Assert.Empty(result.Dropped);
        AssertSumOf(inputs, result, session);
    }

    /// <summary>The masked inputs alone sum to noise: the masks cancel only together with the self masks removed through the shares.</summary>
    [Fact]
    public void Masked_inputs_alone_do_not_sum_to_the_plain_sum()
    {
        var session = SecureSummationFederation.Session(threshold: 2, length: 500);
        var inputs = RandomInputs(3, session.VectorLength, seed: 2);
        var (result, masked) = federation.Run(session, inputs);
        var naive = new uint[session.VectorLength];
        foreach (var input in masked) FixedPointRing.Add(naive, input.Values);
        var decoded = new double[naive.Length];
        session.Ring.Decode(naive, decoded);
        var close = decoded.Zip(result.Sum).Count(pair => Math.Abs(pair.First - pair.Second) < 1.0);
        Assert.True(close < 10, $"{close} of {decoded.Length} elements of the bare masked sum lie near the true sum.");
    }

    /// <summary>
    /// An organization's masked upload looks uniform over Z_2^k whatever its input: every byte of
    /// the k-bit words passes a chi-square test for an all-zero input and for an all-maximum input
    /// alike, and the masked words are uncorrelated with the input.
    /// </summary>
    [Theory]
    [MemberData(nameof(RingWidths))]
    public void Single_masked_upload_is_uniform_and_independent_of_its_input(int bits)
    {
        var ring = Preset(bits);
        var session = SecureSummationFederation.Session(threshold: 2, length: 40_000, ring: ring);
        var random = new Random(5);
        var varying = Enumerable.Range(0, session.VectorLength).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
        var inputs = new[] { new float[session.VectorLength], Enumerable.Repeat((float)ring.ClipBound, session.VectorLength).ToArray(), varying };
        var (_, masked) = federation.Run(session, inputs);
        foreach (var upload in masked)
        {
            Assert.All(upload.Values, word => Assert.True(bits == 32 || word >> bits == 0));
            for (var b = 0; b < bits / 8; b++)
            {
                var chiSquare = UniformityCheck.ByteChiSquare(upload.Values, b);
                Assert.True(chiSquare < UniformityCheck.Limit, $"byte {b} of {upload.ParticipantId}'s masked upload: chi-square {chiSquare:F0} over 255 degrees of freedom.");
            }

            // What travels: the bit-packed words, whose bytes straddle the words (k = 31) and must be uniform too.
            var packed = ring.Pack(upload.Values);
            var packedChiSquare = UniformityCheck.PackedChiSquare(packed.AsSpan(0, packed.Length - 1));
            Assert.True(packedChiSquare < UniformityCheck.Limit, $"the packed bytes of {upload.ParticipantId}'s masked upload: chi-square {packedChiSquare:F0} over 255 degrees of freedom.");
        }
        var correlation = Correlation(varying.Select(value => (double)value).ToArray(), masked[2].Values.Select(value => (double)value).ToArray());
        Assert.InRange(Math.Abs(correlation), 0, 0.03);
    }

    /// <summary>
    /// Nothing the aggregator receives in a round (keys, share bundles, masked uploads, revealed
    /// shares) holds an organization's logits: no 16-byte run of any organization's input as fp32,
    /// fp16 or ring words appears in any message, with one organization dropping out.
    /// </summary>
    [Fact]
    public void Nothing_the_aggregator_receives_holds_a_single_organizations_logits()
    {
        var session = SecureSummationFederation.Session(threshold: 3, length: 3000);
        var inputs = RandomInputs(4, session.VectorLength, seed: 6);
        var (result, transcript) = federation.RunWithTranscript(session, inputs, new HashSet<int> { 2 });
        Assert.Equal(["org-2"], result.Dropped);
        var messages = transcript.Messages().ToList();
        foreach (var input in inputs)
        {
            var ring = new uint[input.Length];
            session.Ring.Encode(input, ring);
            var encodings = new[]
            {
                input.SelectMany(BitConverter.GetBytes).ToArray(),
                input.SelectMany(value => BitConverter.GetBytes((Half)value)).ToArray(),
                ring.SelectMany(BitConverter.GetBytes).ToArray(),
            };
            foreach (var encoding in encodings)
            {
                // Every 16-byte window at a word boundary of the encoding, as a set for one pass over the messages.
                var windows = Enumerable.Range(0, encoding.Length / 16).Select(w => Convert.ToHexString(encoding, w * 16, 16)).ToHashSet();
                foreach (var message in messages)
                {
                    for (var offset = 0; offset + 16 <= message.Length; offset += 2)
                    {
                        if (windows.Contains(Convert.ToHexString(message, offset, 16)))
                            Assert.Fail($"A message to the aggregator holds 16 bytes of an organization's input at offset {offset}.");
                    }
                }
            }
        }
    }

    /// <summary>Six organizations, threshold 4: two drop out after sharing keys and the survivors' sum is still exact, in both rings.</summary>
    [Theory]
    [MemberData(nameof(RingWidths))]
    public void Sum_of_the_survivors_is_recovered_when_up_to_n_minus_t_organizations_drop_out(int bits)
    {
        var session = SecureSummationFederation.Session(threshold: 4, length: 1000, ring: Preset(bits));
        var inputs = RandomInputs(6, session.VectorLength, seed: 3);
        var (result, _) = federation.Run(session, inputs, new HashSet<int> { 1, 4 });
        Assert.Equal(["org-1", "org-4"], result.Dropped);
        Assert.Equal(["org-0", "org-2", "org-3", "org-5"], result.Contributors);
        AssertSumOf([inputs[0], inputs[2], inputs[3], inputs[5]], result, session);
    }

    /// <summary>With n − t + 1 dropouts fewer than t survive: nothing is revealed and the sum is refused.</summary>
    [Fact]
    public void More_dropouts_than_the_threshold_allows_refuse_the_sum()
    {
        var session = SecureSummationFederation.Session(threshold: 4, length: 100);
        var inputs = RandomInputs(6, session.VectorLength, seed: 4);
        var error = Assert.Throws<SecureSummationException>(() => federation.Run(session, inputs, new HashSet<int> { 0, 2, 5 }));
        Assert.Contains("Only 3 organization(s) survived; the threshold is 4", error.Message);
    }

    /// <summary>
    /// An organization reveals its shares once: an aggregator that asks again with another survivor
    /// list (to get both the seed share and the key share of one organization) is refused.
    /// </summary>
    [Fact]
    public void Organization_reveals_shares_only_once()
    {
        var session = SecureSummationFederation.Session(threshold: 2, length: 10);
        var participants = Enumerable.Range(0, 3).Select(index => new SecureSummationParticipant(session, federation.Organizations[index], federation.Binding)).ToArray();
        try
        {
            var advertisements = participants.Select(participant => participant.Advertise()).ToList();
            var bundles = participants.SelectMany(participant => participant.ShareKeys(advertisements)).ToList();
            foreach (var participant in participants)
                participant.MaskInput(new float[10], bundles.Where(bundle => bundle.To == participant.ParticipantId).ToList());
            var first = participants[0].RevealShares(["org-0", "org-1", "org-2"]);
            Assert.Equal(3, first.SelfMaskSeedShares.Count);
            Assert.Empty(first.MaskingKeyShares);
            var error = Assert.Throws<SecureSummationException>(() => participants[0].RevealShares(["org-0", "org-1"]));
            Assert.Contains("reveals once", error.Message);
        }
        finally
        {
            foreach (var participant in participants) participant.Dispose();
        }
    }

    [Fact]
    public void Altered_share_bundle_does_not_decrypt()
    {
        var session = SecureSummationFederation.Session(threshold: 2, length: 10);
        using var a = new SecureSummationParticipant(session, federation.Organizations[0], federation.Binding);
        using var b = new SecureSummationParticipant(session, federation.Organizations[1], federation.Binding);
        var advertisements = new[] { a.Advertise(), b.Advertise() };
        var bundle = a.ShareKeys(advertisements).Single();
        b.ShareKeys(advertisements);
        var altered = bundle with { Ciphertext = (byte[])bundle.Ciphertext.Clone() };
        altered.Ciphertext[7] ^= 1;
        var error = Assert.Throws<SecureSummationException>(() => b.MaskInput(new float[10], [altered]));
        Assert.Contains("does not decrypt", error.Message);
    }

    private static float[][] RandomInputs(int organizations, int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, organizations)
            .Select(_ => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 40 - 20)).ToArray())
            .ToArray();
    }

    private static void AssertSumOf(float[][] inputs, SecureSummationResult result, SecureSummationSession session)
    {
        var tolerance = inputs.Length * session.Ring.Resolution + 1e-9;
        for (var i = 0; i < session.VectorLength; i++)
        {
            var plain = inputs.Sum(input => (double)input[i]);
            Assert.True(Math.Abs(result.Sum[i] - plain) <= tolerance, $"element {i}: unmasked {result.Sum[i]}, plain {plain}, tolerance {tolerance}.");
        }
    }

    private static double Correlation(double[] x, double[] y)
    {
        var meanX = x.Average();
        var meanY = y.Average();
        var covariance = x.Zip(y).Sum(pair => (pair.First - meanX) * (pair.Second - meanY));
        var spreadX = Math.Sqrt(x.Sum(value => (value - meanX) * (value - meanX)));
        var spreadY = Math.Sqrt(y.Sum(value => (value - meanY) * (value - meanY)));
        return covariance / (spreadX * spreadY);
    }
}
