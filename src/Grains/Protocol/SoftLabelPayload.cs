using MessagePack;

namespace FedDistill.Grains.Protocol;

/// <summary>An organization's upload for one round, as MessagePack puts it on the wire.</summary>
/// <remarks>Integer keys keep the payload compact; a new incompatible layout gets a new <see cref="Format"/>.</remarks>
[MessagePackObject]
public sealed class SoftLabelPayload
{
    /// <summary>The layout's tag: <see cref="SoftLabelsCodec.Format"/>.</summary>
    [Key(0)]
    public string? Format { get; set; }

    /// <summary>The round the logits are for.</summary>
    [Key(1)]
    public int Round { get; set; }

    /// <summary>The uploading organization.</summary>
    [Key(2)]
    public string? ParticipantId { get; set; }

    /// <summary>SHA-256 of the public set the logits were computed on.</summary>
    [Key(3)]
    public string? PublicSetFingerprint { get; set; }

    /// <summary><c>float32</c> or <c>float16</c>: how each teacher's <see cref="TeacherLogitsPayload.Logits"/> are encoded.</summary>
    [Key(4)]
    public string? DType { get; set; }

    /// <summary>Rows N of every teacher's logits (the public set's size).</summary>
    [Key(5)]
    public int Rows { get; set; }

    /// <summary>Columns C of every teacher's logits (the classes).</summary>
    [Key(6)]
    public int Classes { get; set; }

    /// <summary>Seconds of teacher work behind the upload, for the round's accounting.</summary>
    [Key(7)]
    public double ComputeSeconds { get; set; }

    /// <summary>One entry per teacher.</summary>
    [Key(8)]
    public List<TeacherLogitsPayload>? Teachers { get; set; }
}

/// <summary>One teacher's part of a <see cref="SoftLabelPayload"/>: what its organization reports of it, and its logits.</summary>
[MessagePackObject]
public sealed class TeacherLogitsPayload
{
    /// <summary>The teacher's id within its organization.</summary>
    [Key(0)]
    public string? TeacherId { get; set; }

    /// <summary>Its model's kind.</summary>
    [Key(1)]
    public string? Model { get; set; }

    /// <summary>Its trainable parameters.</summary>
    [Key(2)]
    public long Parameters { get; set; }

    /// <summary>Private examples it trained on.</summary>
    [Key(3)]
    public int PrivateExamples { get; set; }

    /// <summary>Its private training examples per class.</summary>
    [Key(4)]
    public int[]? ClassCounts { get; set; }

    /// <summary>Its accuracy on the organization's held-out data, if any.</summary>
    [Key(5)]
    public double? LocalAccuracy { get; set; }

    /// <summary>Row-major [N, C] logits, little-endian, in the payload's dtype.</summary>
    [Key(6)]
    public byte[]? Logits { get; set; }
}

/// <summary>A completed round's ensemble logits, which co-distillation rounds digest.</summary>
[MessagePackObject]
public sealed class ConsensusPayload
{
    /// <summary>The layout's tag: <see cref="SoftLabelsCodec.ConsensusFormat"/>.</summary>
    [Key(0)]
    public string? Format { get; set; }

    /// <summary>The round that produced it.</summary>
    [Key(1)]
    public int Round { get; set; }

    /// <summary>SHA-256 of the public set.</summary>
    [Key(2)]
    public string? PublicSetFingerprint { get; set; }

    /// <summary>Rows N.</summary>
    [Key(3)]
    public int Rows { get; set; }

    /// <summary>Classes C.</summary>
    [Key(4)]
    public int Classes { get; set; }

    /// <summary>Row-major [N, C] float32 logits, little-endian.</summary>
    [Key(5)]
    public byte[]? Logits { get; set; }
}
