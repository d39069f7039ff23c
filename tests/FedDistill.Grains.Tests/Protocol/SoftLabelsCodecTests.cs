using FedDistill.Grains.Protocol;
using FedDistill.Grains.Protocol.Safetensors;

namespace FedDistill.Grains.Tests.Protocol;

/// <summary>The upload and consensus codecs on the safetensors reader and writer, without a federation around them.</summary>
public sealed class SoftLabelsCodecTests
{
    private const int Examples = 3;
    private const int Classes = 2;
    private const string Fingerprint = "ab12";

    [Theory]
    [InlineData("float32")]
    [InlineData("float16")]
    public void Decode_reads_back_what_Encode_wrote(string dtype)
    {
        float[] logits = [0.5f, -1.25f, 2f, 0f, 3.5f, -0.75f];

        var upload = SoftLabelsCodec.Decode(Encode(dtype, logits, round: 4), 4, "hospital-1", Fingerprint, Examples, Classes);

        Assert.Equal(4, upload.Round);
        Assert.Equal("hospital-1", upload.ParticipantId);
        Assert.Equal(dtype, upload.Metadata.DType);
        var teacher = Assert.Single(upload.Teachers);
        Assert.Equal("mlp", teacher.Report.TeacherId);
        Assert.Equal(logits, teacher.Logits);
    }

    [Fact]
    public void Encode_writes_one_tensor_per_teacher_with_the_declared_dtype_and_shape()
    {
        var document = SafetensorsReader.Read(Encode("float16", new float[Examples * Classes]));

        var entry = Assert.Single(document.Entries);
        Assert.Equal("teacher/mlp", entry.Name);
        Assert.Equal(SafetensorsDType.Float16, entry.DType);
        Assert.Equal([(long)Examples, Classes], entry.Shape);
        Assert.Equal(SoftLabelsCodec.Format, document.Metadata["format"]);
    }

    [Fact]
    public void Decode_refuses_bytes_that_are_not_safetensors()
    {
        var error = Assert.Throws<FederationException>(() => SoftLabelsCodec.Decode(new byte[] { 1, 2, 3 }, 1, "hospital-1", Fingerprint, Examples, Classes));

        Assert.Equal("malformed-safetensors", error.Reason);
        Assert.Equal(FederationErrorKind.Invalid, error.Kind);
    }

    [Fact]
    public void Decode_refuses_a_tensor_of_another_dtype_than_declared()
    {
        var valid = SafetensorsReader.Read(Encode("float32", new float[Examples * Classes]));
        var wrong = SafetensorsWriter.ToBytes([SafetensorsEntry.FromValues<double>("teacher/mlp", [Examples, Classes], new double[Examples * Classes])], valid.Metadata);

        var error = Assert.Throws<FederationException>(() => SoftLabelsCodec.Decode(wrong, 1, "hospital-1", Fingerprint, Examples, Classes));

        Assert.Equal("wrong-dtype", error.Reason);
        Assert.Contains("is Float64", error.Message);
    }

    [Fact]
    public void Decode_refuses_non_finite_logits_and_logits_of_another_shape()
    {
        var nan = new float[Examples * Classes];
        nan[3] = float.NaN;

        var nonFinite = Assert.Throws<FederationException>(() => SoftLabelsCodec.Decode(Encode("float32", nan), 1, "hospital-1", Fingerprint, Examples, Classes));
        var shape = Assert.Throws<FederationException>(() => SoftLabelsCodec.Decode(Encode("float32", nan), 1, "hospital-1", Fingerprint, Examples + 1, Classes));

        Assert.Equal("non-finite", nonFinite.Reason);
        Assert.Contains("row 1, column 1", nonFinite.Message);
        Assert.Equal("wrong-shape", shape.Reason);
    }

    [Fact]
    public void Consensus_round_trips_and_is_refused_for_another_public_set()
    {
        float[] logits = [1f, 2f, 3f, 4f, 5f, 6f];
        var bytes = SoftLabelsCodec.EncodeConsensus(2, Fingerprint, logits, Classes);

        Assert.Equal(logits, SoftLabelsCodec.DecodeConsensus(bytes, Fingerprint.ToUpperInvariant(), Examples, Classes));
        var error = Assert.Throws<FederationException>(() => SoftLabelsCodec.DecodeConsensus(bytes, "ffff", Examples, Classes));
        Assert.Equal("wrong-fingerprint", error.Reason);
    }

    private static byte[] Encode(string dtype, float[] logits, int round = 1) =>
        SoftLabelsCodec.Encode(round, "hospital-1", Fingerprint, dtype, Classes,
            [(new TeacherReport("mlp", "mlp", 100, 10, [5, 5]), logits)]);
}
