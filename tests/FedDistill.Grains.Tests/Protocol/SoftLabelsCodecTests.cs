using System.Runtime.InteropServices;
using FedDistill.Grains.Protocol;
using MessagePack;

namespace FedDistill.Grains.Tests.Protocol;

/// <summary>
/// The MessagePack soft-label and consensus codecs without a federation around them: what Encode
/// writes Decode reads back, and every way a payload can be wrong is refused with its reason.
/// Bad payloads are <see cref="SoftLabelPayload"/> objects serialized directly, so each breaks one rule.
/// </summary>
public sealed class SoftLabelsCodecTests
{
    private const int Examples = 3;
    private const int Classes = 2;
    private const int Round = 4;
    private const string Hospital = "hospital-1";
    private const string Fingerprint = "ab12cd34";

    private static readonly float[] Logits = [0.5f, -1.25f, 2f, 0f, 3.5f, -0.75f];

    public static TheoryData<string> DTypes => new() { "float32", "float16" };

    public static TheoryData<string, float> NonFiniteValues => new()
    {
        { "float32", float.NaN },
        { "float32", float.PositiveInfinity },
        { "float32", float.NegativeInfinity },
        { "float16", float.NaN },
        { "float16", float.PositiveInfinity },
        { "float16", float.NegativeInfinity },
    };

    public static TheoryData<string> BadTeacherIds => new() { "", "-mlp", "mlp/1", "mlp 1", new string('t', 65) };

    /// <summary>Every field Encode writes comes back from Decode: logits exactly (values fp16 holds exactly), reports, dtype, compute time.</summary>
    [Theory]
    [MemberData(nameof(DTypes))]
    public void Decode_reads_back_what_Encode_wrote(string dtype)
    {
        var second = Logits.Select(x => -2 * x).ToArray();
        var body = SoftLabelsCodec.Encode(Round, Hospital, Fingerprint, dtype, Classes,
            [(Report("mlp"), Logits), (Report("cnn", accuracy: null), second)], computeSeconds: 12.5);

        var upload = SoftLabelsCodec.Decode(body, Round, Hospital, Fingerprint.ToUpperInvariant(), Examples, Classes);

        Assert.Equal((Round, Hospital, dtype, 12.5), (upload.Round, upload.ParticipantId, upload.Metadata.DType, upload.Metadata.ComputeSeconds));
        Assert.Equal(["mlp", "cnn"], upload.Teachers.Select(t => t.Report.TeacherId));
        Assert.Equal(Logits, upload.Teachers[0].Logits);
        Assert.Equal(second, upload.Teachers[1].Logits);
        var report = upload.Teachers[0].Report;
        Assert.Equal(("mlp", "mlp", 1234L, 7, 0.75), (report.TeacherId, report.Model, report.Parameters, report.PrivateExamples, report.LocalAccuracy));
        Assert.Equal([3, 4], report.ClassCounts);
        Assert.Null(upload.Teachers[1].Report.LocalAccuracy);
    }

    /// <summary>fp16 keeps 11 significant bits: arbitrary logits come back within half a unit in the last place, and the payload is about half the size of fp32's.</summary>
    [Fact]
    public void Float16_round_trips_within_its_precision_in_half_the_bytes()
    {
        const int rows = 1_000;
        var random = new Random(5);
        var logits = Enumerable.Range(0, rows * Classes).Select(_ => (float)(random.NextDouble() * 40 - 20)).ToArray();
        var teachers = new[] { (Report("mlp"), logits) };

        var half = SoftLabelsCodec.Encode(Round, Hospital, Fingerprint, "float16", Classes, teachers);
        var full = SoftLabelsCodec.Encode(Round, Hospital, Fingerprint, "float32", Classes, teachers);
        var decoded = SoftLabelsCodec.Decode(half, Round, Hospital, Fingerprint, rows, Classes).Teachers[0].Logits;

        for (var i = 0; i < logits.Length; i++)
            Assert.True(Math.Abs(decoded[i] - logits[i]) <= Math.Abs(logits[i]) * Math.Pow(2, -11), $"{logits[i]} came back as {decoded[i]}");
        Assert.InRange(full.Length - half.Length, rows * Classes * 2 - 16, rows * Classes * 2 + 16);
    }

    /// <summary>The hand-built payload the refusal tests mutate is exactly what Encode writes, so each mutation is the only fault.</summary>
    [Theory]
    [MemberData(nameof(DTypes))]
    public void The_test_payload_is_what_Encode_writes(string dtype)
    {
        var encoded = SoftLabelsCodec.Encode(Round, Hospital, Fingerprint, dtype, Classes, [(Report("mlp"), Logits)], computeSeconds: 1.5);

        Assert.Equal(encoded, Serialize(Valid(dtype)));
        Assert.Equal(Logits, SoftLabelsCodec.Decode(Serialize(Valid(dtype)), Round, Hospital, Fingerprint, Examples, Classes).Teachers[0].Logits);
    }

    /// <summary>Bytes that are not a MessagePack upload at all are <c>malformed-payload</c>.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_bytes_are_a_malformed_payload(int seed)
    {
        var random = new Random(seed);
        var body = new byte[random.Next(1, 200)];
        random.NextBytes(body);
        body[0] = (byte)(0x90 + random.Next(16)); // a MessagePack array header, so the reader gets past the first byte

        AssertRefused("malformed-payload", body);
    }

    /// <summary>An empty body, and a MessagePack nil, are <c>malformed-payload</c>.</summary>
    [Fact]
    public void An_empty_body_or_nil_is_a_malformed_payload()
    {
        AssertRefused("malformed-payload", []);
        AssertRefused("malformed-payload", [0xc0]);
    }

    /// <summary>Every strict prefix of a valid payload is <c>malformed-payload</c>.</summary>
    [Theory]
    [MemberData(nameof(DTypes))]
    public void Every_truncation_of_a_valid_payload_is_malformed(string dtype)
    {
        var body = Serialize(Valid(dtype));

        for (var length = 0; length < body.Length; length++) AssertRefused("malformed-payload", body[..length]);
    }

    /// <summary>Flipping any single bit of a valid payload gives either a valid upload or a <see cref="FederationException"/>, never another exception.</summary>
    [Fact]
    public void A_payload_with_any_bit_flipped_is_decoded_or_refused_with_a_reason()
    {
        var body = Serialize(Valid("float32"));

        for (var bit = 0; bit < body.Length * 8; bit++)
        {
            var flipped = (byte[])body.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            try
            {
                SoftLabelsCodec.Decode(flipped, Round, Hospital, Fingerprint, Examples, Classes);
            }
            catch (FederationException)
            {
            }
        }
    }

    /// <summary>Another layout's tag, or none, is <c>wrong-format</c>.</summary>
    [Theory]
    [InlineData("feddistill-soft-labels/1")]
    [InlineData("feddistill-consensus/2")]
    [InlineData(null)]
    public void Another_format_is_refused(string? format) =>
        AssertRefused("wrong-format", Mutate(p => p.Format = format));

    /// <summary>A payload naming another round, or another participant than the sender, is <c>metadata-mismatch</c>.</summary>
    [Fact]
    public void A_payload_naming_another_round_or_participant_is_refused()
    {
        Assert.Contains("round 5", AssertRefused("metadata-mismatch", Mutate(p => p.Round = Round + 1)).Message);
        Assert.Contains("'hospital-2'", AssertRefused("metadata-mismatch", Mutate(p => p.ParticipantId = "hospital-2")).Message);
        AssertRefused("metadata-mismatch", Mutate(p => p.ParticipantId = null));
    }

    /// <summary>Compute seconds that are negative or not finite are <c>metadata-mismatch</c>.</summary>
    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Impossible_compute_seconds_are_refused(double seconds) =>
        AssertRefused("metadata-mismatch", Mutate(p => p.ComputeSeconds = seconds));

    /// <summary>Logits computed on another public set, or on none named, are <c>wrong-fingerprint</c>.</summary>
    [Theory]
    [InlineData("ab12cd35")]
    [InlineData("")]
    [InlineData(null)]
    public void Another_public_sets_fingerprint_is_refused(string? fingerprint) =>
        AssertRefused("wrong-fingerprint", Mutate(p => p.PublicSetFingerprint = fingerprint));

    /// <summary>A dtype other than float32 or float16 is <c>wrong-dtype</c>.</summary>
    [Theory]
    [InlineData("bfloat16")]
    [InlineData("float64")]
    [InlineData("FLOAT32")]
    [InlineData(null)]
    public void An_unknown_dtype_is_refused(string? dtype) =>
        AssertRefused("wrong-dtype", Mutate(p => p.DType = dtype));

    /// <summary>Declared rows or classes other than the public set's are <c>wrong-shape</c>.</summary>
    [Theory]
    [InlineData(Examples + 1, Classes)]
    [InlineData(Examples - 1, Classes)]
    [InlineData(Examples, Classes + 1)]
    [InlineData(0, 0)]
    public void Declared_rows_or_classes_other_than_the_public_sets_are_refused(int rows, int classes) =>
        AssertRefused("wrong-shape", Mutate(p => (p.Rows, p.Classes) = (rows, classes)));

    /// <summary>A teacher whose logits are not N × C × the dtype's size in bytes (one byte short, the other dtype's size, none) is <c>wrong-shape</c>.</summary>
    [Theory]
    [InlineData("float32", -1)]
    [InlineData("float32", 1)]
    [InlineData("float16", -1)]
    public void A_teachers_logits_of_the_wrong_byte_count_are_refused(string dtype, int difference)
    {
        var error = AssertRefused("wrong-shape", Mutate(p => p.Teachers![0].Logits = new byte[p.Teachers[0].Logits!.Length + difference], dtype));

        Assert.Contains("Teacher 'mlp'", error.Message);
    }

    /// <summary>fp32 logits sent under a float16 declaration (and the reverse) have twice (half) the bytes: <c>wrong-shape</c>.</summary>
    [Fact]
    public void Logits_of_the_other_dtype_are_refused()
    {
        var full = Valid("float32").Teachers![0].Logits;
        var half = Valid("float16").Teachers![0].Logits;

        AssertRefused("wrong-shape", Mutate(p => p.Teachers![0].Logits = full, "float16"));
        AssertRefused("wrong-shape", Mutate(p => p.Teachers![0].Logits = half, "float32"));
        AssertRefused("wrong-shape", Mutate(p => p.Teachers![0].Logits = null));
    }

    /// <summary>A NaN or an infinity anywhere in a teacher's logits is <c>non-finite</c>, naming its row and column, in either dtype.</summary>
    [Theory]
    [MemberData(nameof(NonFiniteValues))]
    public void A_non_finite_logit_is_refused_naming_where_it_is(string dtype, float value)
    {
        var logits = (float[])Logits.Clone();
        logits[3] = value;
        var body = SoftLabelsCodec.Encode(Round, Hospital, Fingerprint, dtype, Classes, [(Report("mlp"), Logits), (Report("cnn"), logits)]);

        var error = AssertRefused("non-finite", body);

        Assert.Contains("Teacher 'cnn'", error.Message);
        Assert.Contains("row 1, column 1", error.Message);
    }

    /// <summary>An upload without teachers (empty or missing list) is <c>bad-teachers</c>.</summary>
    [Fact]
    public void An_upload_without_teachers_is_refused()
    {
        AssertRefused("bad-teachers", Mutate(p => p.Teachers = []));
        AssertRefused("bad-teachers", Mutate(p => p.Teachers = null));
        AssertRefused("bad-teachers", Mutate(p => p.Teachers![0] = null!));
    }

    /// <summary><see cref="SoftLabelsCodec.MaxTeachers"/> teachers pass; one more is <c>bad-teachers</c>.</summary>
    [Fact]
    public void An_upload_with_more_than_the_most_teachers_is_refused()
    {
        var template = Valid("float16").Teachers![0];
        List<TeacherLogitsPayload> Teachers(int count) => Enumerable.Range(0, count).Select(i => Teacher($"t{i}", template.Logits!)).ToList();

        Assert.Equal(SoftLabelsCodec.MaxTeachers, SoftLabelsCodec.Decode(Mutate(p => p.Teachers = Teachers(SoftLabelsCodec.MaxTeachers), "float16"),
            Round, Hospital, Fingerprint, Examples, Classes).Teachers.Count);
        Assert.Contains($"at most {SoftLabelsCodec.MaxTeachers}", AssertRefused("bad-teachers", Mutate(p => p.Teachers = Teachers(SoftLabelsCodec.MaxTeachers + 1), "float16")).Message);
    }

    /// <summary>The same teacher id twice is <c>bad-teachers</c>.</summary>
    [Fact]
    public void A_duplicate_teacher_id_is_refused()
    {
        var error = AssertRefused("bad-teachers", Mutate(p => p.Teachers!.Add(Teacher("mlp", p.Teachers[0].Logits!))));

        Assert.Contains("appears twice", error.Message);
    }

    /// <summary>A teacher id outside [A-Za-z0-9][A-Za-z0-9._-]{0,63} is <c>bad-teachers</c>.</summary>
    [Theory]
    [MemberData(nameof(BadTeacherIds))]
    public void A_bad_teacher_id_is_refused(string id) =>
        AssertRefused("bad-teachers", Mutate(p => p.Teachers![0].TeacherId = id));

    /// <summary>Class counts of another length than C, missing, or negative are <c>bad-teachers</c>.</summary>
    [Fact]
    public void Bad_class_counts_are_refused()
    {
        Assert.Contains($"{Classes} non-negative class counts", AssertRefused("bad-teachers", Mutate(p => p.Teachers![0].ClassCounts = [1, 2, 3])).Message);
        AssertRefused("bad-teachers", Mutate(p => p.Teachers![0].ClassCounts = [1]));
        AssertRefused("bad-teachers", Mutate(p => p.Teachers![0].ClassCounts = null));
        AssertRefused("bad-teachers", Mutate(p => p.Teachers![0].ClassCounts = [5, -1]));
    }

    /// <summary>A negative example or parameter count, or an accuracy outside [0, 1], is <c>bad-teachers</c>.</summary>
    [Fact]
    public void Negative_counts_and_impossible_accuracies_are_refused()
    {
        AssertRefused("bad-teachers", Mutate(p => p.Teachers![0].PrivateExamples = -1));
        AssertRefused("bad-teachers", Mutate(p => p.Teachers![0].Parameters = -1));
        AssertRefused("bad-teachers", Mutate(p => p.Teachers![0].LocalAccuracy = 1.5));
        AssertRefused("bad-teachers", Mutate(p => p.Teachers![0].LocalAccuracy = -0.1));
        AssertRefused("bad-teachers", Mutate(p => p.Teachers![0].LocalAccuracy = double.NaN));
    }

    /// <summary>Encode refuses what it cannot write: no teachers, an unknown dtype, logits that are not rows × C.</summary>
    [Fact]
    public void Encode_refuses_inputs_it_cannot_write()
    {
        Assert.Throws<ArgumentException>(() => SoftLabelsCodec.Encode(Round, Hospital, Fingerprint, "float16", Classes, []));
        Assert.Throws<ArgumentException>(() => SoftLabelsCodec.Encode(Round, Hospital, Fingerprint, "bfloat16", Classes, [(Report("mlp"), Logits)]));
        Assert.Throws<ArgumentException>(() => SoftLabelsCodec.Encode(Round, Hospital, Fingerprint, "float16", Classes, [(Report("mlp"), Logits), (Report("cnn"), Logits[..4])]));
    }

    /// <summary>The consensus comes back exactly, and the fingerprint compares without regard to case.</summary>
    [Fact]
    public void Consensus_round_trips()
    {
        var body = SoftLabelsCodec.EncodeConsensus(2, Fingerprint, Logits, Classes);

        Assert.Equal(Logits, SoftLabelsCodec.DecodeConsensus(body, Fingerprint.ToUpperInvariant(), Examples, Classes));
    }

    /// <summary>Every way a consensus can be wrong is refused with its reason.</summary>
    [Fact]
    public void A_bad_consensus_is_refused_with_its_reason()
    {
        var valid = SoftLabelsCodec.EncodeConsensus(2, Fingerprint, Logits, Classes);
        byte[] ConsensusWith(Action<ConsensusPayload> change)
        {
            var payload = MessagePackSerializer.Deserialize<ConsensusPayload>(valid);
            change(payload);
            return MessagePackSerializer.Serialize(payload);
        }

        var nonFinite = (float[])Logits.Clone();
        nonFinite[5] = float.NaN;
        Assert.Equal("malformed-payload", ConsensusRefusal(valid[..^3]).Reason);
        Assert.Equal("malformed-payload", ConsensusRefusal([0x01, 0x02]).Reason);
        Assert.Equal("wrong-format", ConsensusRefusal(ConsensusWith(p => p.Format = SoftLabelsCodec.Format)).Reason);
        Assert.Equal("wrong-fingerprint", ConsensusRefusal(SoftLabelsCodec.EncodeConsensus(2, "ffff", Logits, Classes)).Reason);
        Assert.Equal("wrong-shape", ConsensusRefusal(ConsensusWith(p => p.Rows = Examples + 1)).Reason);
        Assert.Equal("wrong-shape", ConsensusRefusal(ConsensusWith(p => p.Classes = Classes + 1)).Reason);
        Assert.Equal("wrong-shape", ConsensusRefusal(ConsensusWith(p => p.Logits = p.Logits![..^1])).Reason);
        Assert.Equal("wrong-shape", ConsensusRefusal(ConsensusWith(p => p.Logits = null)).Reason);
        Assert.Equal("non-finite", ConsensusRefusal(SoftLabelsCodec.EncodeConsensus(2, Fingerprint, nonFinite, Classes)).Reason);
    }

    private static FederationException ConsensusRefusal(byte[] body)
    {
        var error = Assert.Throws<FederationException>(() => SoftLabelsCodec.DecodeConsensus(body, Fingerprint, Examples, Classes));
        Assert.Equal(FederationErrorKind.Invalid, error.Kind);
        return error;
    }

    private static FederationException AssertRefused(string reason, byte[] body)
    {
        var error = Assert.Throws<FederationException>(() => SoftLabelsCodec.Decode(body, Round, Hospital, Fingerprint, Examples, Classes));
        Assert.Equal((FederationErrorKind.Invalid, reason), (error.Kind, error.Reason));
        return error;
    }

    private static byte[] Mutate(Action<SoftLabelPayload> change, string dtype = "float32")
    {
        var payload = Valid(dtype);
        change(payload);
        return Serialize(payload);
    }

    private static byte[] Serialize(SoftLabelPayload payload) => MessagePackSerializer.Serialize(payload);

    /// <summary>What <see cref="SoftLabelsCodec.Encode"/> writes for <see cref="Logits"/> from one teacher.</summary>
    private static SoftLabelPayload Valid(string dtype) => new()
    {
        Format = SoftLabelsCodec.Format,
        Round = Round,
        ParticipantId = Hospital,
        PublicSetFingerprint = Fingerprint,
        DType = dtype,
        Rows = Examples,
        Classes = Classes,
        ComputeSeconds = 1.5,
        Teachers = [Teacher("mlp", dtype == "float16"
            ? MemoryMarshal.AsBytes(Array.ConvertAll(Logits, x => (Half)x).AsSpan()).ToArray()
            : MemoryMarshal.AsBytes(Logits.AsSpan()).ToArray())],
    };

    private static TeacherLogitsPayload Teacher(string id, byte[] logits) => new()
    {
        TeacherId = id,
        Model = "mlp",
        Parameters = 1234,
        PrivateExamples = 7,
        ClassCounts = [3, 4],
        LocalAccuracy = 0.75,
        Logits = logits,
    };

    private static TeacherReport Report(string id, double? accuracy = 0.75) => new(id, "mlp", 1234, 7, [3, 4], accuracy);
}
