using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using MessagePack;

namespace FedDistill.Grains.Protocol;

/// <summary>
/// The one place where soft-label uploads and consensus logits are written and read: MessagePack
/// (<see cref="SoftLabelPayload"/>, <see cref="ConsensusPayload"/>) with raw little-endian fp16 or
/// fp32 arrays. <see cref="Decode"/> checks everything a hostile or broken sender could get wrong
/// and throws a <see cref="FederationException"/> naming the problem.
/// </summary>
/// <remarks>
/// No compression: MessagePack's LZ4 (<c>Lz4BlockArray</c>) finds no repeats in logits and made a
/// trained teacher's fp16 upload of 40,000 × 10 logits 0.4 % larger (800,107 to 803,261 bytes)
/// for about 2.6 ms more encode and decode; even Brotli saves only about 10 %
/// (docs/benchmarks.md, "Soft-label codec"). fp16 is the size lever: half of fp32.
/// </remarks>
public static partial class SoftLabelsCodec
{
    /// <summary>The upload layout's tag.</summary>
    public const string Format = "feddistill-soft-labels/2";

    /// <summary>The consensus layout's tag.</summary>
    public const string ConsensusFormat = "feddistill-consensus/2";

    /// <summary>Most teachers one organization may upload in a round.</summary>
    public const int MaxTeachers = 32;

    // Untrusted input: MessagePack's hardened mode (collision-resistant hashing, depth limits).
    private static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Encodes an organization's logits for one round.</summary>
    /// <param name="round">The round.</param>
    /// <param name="participantId">The uploader.</param>
    /// <param name="publicSetFingerprint">The public set the logits were computed on.</param>
    /// <param name="dtype"><c>float32</c> or <c>float16</c>.</param>
    /// <param name="classes">C, the columns of every logits array.</param>
    /// <param name="teachers">Each teacher's report and N × C logits.</param>
    /// <param name="computeSeconds">Teacher work spent on this upload.</param>
    /// <returns>The payload, owned by the caller.</returns>
    public static byte[] Encode(int round, string participantId, string publicSetFingerprint, string dtype, int classes,
        IReadOnlyList<(TeacherReport Report, float[] Logits)> teachers, double computeSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(teachers);
        if (teachers.Count == 0) throw new ArgumentException("An upload carries at least one teacher.", nameof(teachers));
        if (!RoundSettings.AllowedLogitsDTypes.Contains(dtype)) throw new ArgumentException($"Unknown logits dtype '{dtype}'.", nameof(dtype));
        var rows = teachers[0].Logits.Length / classes;
        var payload = new SoftLabelPayload
        {
            Format = Format,
            Round = round,
            ParticipantId = participantId,
            PublicSetFingerprint = publicSetFingerprint,
            DType = dtype,
            Rows = rows,
            Classes = classes,
            ComputeSeconds = computeSeconds,
            Teachers = new List<TeacherLogitsPayload>(teachers.Count),
        };
        foreach (var (report, logits) in teachers)
        {
            if (logits.Length != rows * classes) throw new ArgumentException($"Teacher '{report.TeacherId}' has {logits.Length} logits; expected {rows} × {classes}.", nameof(teachers));
            payload.Teachers.Add(new TeacherLogitsPayload
            {
                TeacherId = report.TeacherId,
                Model = report.Model,
                Parameters = report.Parameters,
                PrivateExamples = report.PrivateExamples,
                ClassCounts = report.ClassCounts.ToArray(),
                LocalAccuracy = report.LocalAccuracy,
                Logits = dtype == "float16"
                    ? MemoryMarshal.AsBytes(Array.ConvertAll(logits, value => (Half)value).AsSpan()).ToArray()
                    : MemoryMarshal.AsBytes(logits.AsSpan()).ToArray(),
            });
        }

        return MessagePackSerializer.Serialize(payload, Options);
    }

    /// <summary>
    /// Parses and validates an upload against what the aggregator expects. Nothing is changed by a
    /// failure: the caller only acts on a returned value.
    /// </summary>
    /// <exception cref="FederationException">
    /// <see cref="FederationErrorKind.Invalid"/> with reason <c>malformed-payload</c>, <c>wrong-format</c>,
    /// <c>metadata-mismatch</c>, <c>wrong-fingerprint</c>, <c>wrong-dtype</c>, <c>wrong-shape</c>,
    /// <c>non-finite</c> or <c>bad-teachers</c>.
    /// </exception>
    public static DecodedUpload Decode(ReadOnlyMemory<byte> body, int expectedRound, string expectedParticipantId,
        string expectedFingerprint, int examples, int classes)
    {
        var payload = Deserialize<SoftLabelPayload>(body, "upload");
        if (payload.Format != Format)
            throw Invalid("wrong-format", $"The payload must carry format '{Format}'; got '{payload.Format ?? "(none)"}'.");
        if (payload.Round != expectedRound)
            throw Invalid("metadata-mismatch", $"The payload names round {payload.Round} but was sent to round {expectedRound}.");
        if (payload.ParticipantId != expectedParticipantId)
            throw Invalid("metadata-mismatch", $"The payload names participant '{payload.ParticipantId ?? "(none)"}' but was sent by '{expectedParticipantId}'.");
        if (!string.Equals(payload.PublicSetFingerprint, expectedFingerprint, StringComparison.OrdinalIgnoreCase))
            throw Invalid("wrong-fingerprint", $"The logits were computed on public set '{payload.PublicSetFingerprint ?? "(none)"}', not on this federation's public set '{expectedFingerprint}'.");
        var elementSize = payload.DType switch
        {
            "float32" => sizeof(float),
            "float16" => 2,
            _ => throw Invalid("wrong-dtype", $"The payload declares dtype '{payload.DType ?? "(none)"}'; allowed: {string.Join(", ", RoundSettings.AllowedLogitsDTypes)}."),
        };
        if (payload.Rows != examples || payload.Classes != classes)
            throw Invalid("wrong-shape", $"The payload declares [{payload.Rows}, {payload.Classes}] logits; expected [{examples}, {classes}] (public set rows × classes).");
        if (payload.Teachers is not { Count: > 0 } entries) throw Invalid("bad-teachers", "The payload must carry at least one teacher.");
        if (entries.Count > MaxTeachers) throw Invalid("bad-teachers", $"An upload may carry at most {MaxTeachers} teachers; this one has {entries.Count}.");
        if (!double.IsFinite(payload.ComputeSeconds) || payload.ComputeSeconds < 0)
            throw Invalid("metadata-mismatch", $"The payload reports {payload.ComputeSeconds} compute seconds; it must be finite and at least 0.");

        var teachers = new List<DecodedTeacherLogits>(entries.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var teacherId = entry?.TeacherId ?? string.Empty;
            if (entry is null || !TeacherIdPattern().IsMatch(teacherId))
                throw Invalid("bad-teachers", $"Teacher id '{teacherId}' must match [A-Za-z0-9][A-Za-z0-9._-]{{0,63}}.");
            if (!seen.Add(teacherId)) throw Invalid("bad-teachers", $"Teacher '{teacherId}' appears twice.");
            if (entry.ClassCounts is null || entry.ClassCounts.Length != classes || entry.ClassCounts.Any(count => count < 0))
                throw Invalid("bad-teachers", $"Teacher '{teacherId}' must report {classes} non-negative class counts.");
            if (entry.PrivateExamples < 0 || entry.Parameters < 0 || (entry.LocalAccuracy is { } accuracy && !(accuracy >= 0 && accuracy <= 1)))
                throw Invalid("bad-teachers", $"Teacher '{teacherId}' reports a negative count or an accuracy outside [0, 1].");
            var expectedBytes = (long)examples * classes * elementSize;
            if (entry.Logits is null || entry.Logits.Length != expectedBytes)
                throw Invalid("wrong-shape", $"Teacher '{teacherId}' has {entry.Logits?.Length ?? 0} bytes of logits; [{examples}, {classes}] {payload.DType} needs {expectedBytes}.");
            var logits = ReadLogits(entry.Logits, elementSize, classes, $"Teacher '{teacherId}'");
            var report = new TeacherReport(teacherId, entry.Model ?? "unknown", entry.Parameters, entry.PrivateExamples, entry.ClassCounts, entry.LocalAccuracy);
            teachers.Add(new DecodedTeacherLogits(report, logits));
        }

        return new DecodedUpload(expectedRound, expectedParticipantId, new UploadMetadata(payload.DType!, teachers.Select(t => t.Report).ToList(), payload.ComputeSeconds), teachers);
    }

    /// <summary>Encodes the ensemble's [N, C] float32 logits of a round (what co-distillation rounds digest).</summary>
    public static byte[] EncodeConsensus(int round, string publicSetFingerprint, float[] logits, int classes) =>
        MessagePackSerializer.Serialize(new ConsensusPayload
        {
            Format = ConsensusFormat,
            Round = round,
            PublicSetFingerprint = publicSetFingerprint,
            Rows = logits.Length / classes,
            Classes = classes,
            Logits = MemoryMarshal.AsBytes(logits.AsSpan()).ToArray(),
        }, Options);

    /// <summary>Reads a consensus written by <see cref="EncodeConsensus"/>, checking it is for this public set.</summary>
    /// <exception cref="FederationException">It is malformed, or for another public set or shape.</exception>
    public static float[] DecodeConsensus(ReadOnlyMemory<byte> body, string expectedFingerprint, int examples, int classes)
    {
        var payload = Deserialize<ConsensusPayload>(body, "consensus");
        if (payload.Format != ConsensusFormat) throw Invalid("wrong-format", $"The consensus must carry format '{ConsensusFormat}'; got '{payload.Format ?? "(none)"}'.");
        if (!string.Equals(payload.PublicSetFingerprint, expectedFingerprint, StringComparison.OrdinalIgnoreCase))
            throw Invalid("wrong-fingerprint", $"The consensus is for public set '{payload.PublicSetFingerprint ?? "(none)"}', not '{expectedFingerprint}'.");
        if (payload.Rows != examples || payload.Classes != classes || payload.Logits is null || payload.Logits.Length != (long)examples * classes * sizeof(float))
            throw Invalid("wrong-shape", $"The consensus is [{payload.Rows}, {payload.Classes}] with {payload.Logits?.Length ?? 0} bytes; expected [{examples}, {classes}] float32.");
        return ReadLogits(payload.Logits, sizeof(float), classes, "The consensus");
    }

    private static T Deserialize<T>(ReadOnlyMemory<byte> body, string what)
    {
        try
        {
            return MessagePackSerializer.Deserialize<T>(body, Options) ?? throw Invalid("malformed-payload", $"The {what} is empty.");
        }
        catch (MessagePackSerializationException error)
        {
            throw Invalid("malformed-payload", $"The {what} is not a valid MessagePack {typeof(T).Name}: {error.InnerException?.Message ?? error.Message}");
        }
    }

    private static float[] ReadLogits(byte[] bytes, int elementSize, int classes, string owner)
    {
        var logits = elementSize == 2
            ? Array.ConvertAll(MemoryMarshal.Cast<byte, Half>(bytes).ToArray(), value => (float)value)
            : MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        for (var i = 0; i < logits.Length; i++)
        {
            if (!float.IsFinite(logits[i]))
                throw Invalid("non-finite", $"{owner} holds {logits[i]} at row {i / classes}, column {i % classes}; logits must be finite.");
        }

        return logits;
    }

    private static FederationException Invalid(string reason, string message) => new(FederationErrorKind.Invalid, reason, message);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex TeacherIdPattern();
}
