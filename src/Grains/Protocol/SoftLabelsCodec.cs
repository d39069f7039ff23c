using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FedDistill.Grains.Protocol.Safetensors;

namespace FedDistill.Grains.Protocol;

/// <summary>
/// The one place where soft-label uploads are written and read: a safetensors file with one
/// [N, C] tensor per teacher (<c>teacher/&lt;id&gt;</c>, float32 or float16) and metadata naming the
/// format, round, participant and public set. <see cref="Decode"/> checks everything a hostile or
/// broken sender could get wrong and throws a <see cref="FederationException"/> naming the problem.
/// </summary>
public static partial class SoftLabelsCodec
{
    /// <summary>The format tag in the metadata; a new incompatible layout gets a new tag.</summary>
    public const string Format = "feddistill-soft-labels/1";

    /// <summary>Most teachers one organization may upload in a round.</summary>
    public const int MaxTeachers = 32;

    private const string TensorPrefix = "teacher/";

    /// <summary>Encodes an organization's logits for one round.</summary>
    /// <param name="round">The round.</param>
    /// <param name="participantId">The uploader.</param>
    /// <param name="publicSetFingerprint">The public set the logits were computed on.</param>
    /// <param name="dtype"><c>float32</c> or <c>float16</c>.</param>
    /// <param name="classes">C, the columns of every logits array.</param>
    /// <param name="teachers">Each teacher's report and N × C logits.</param>
    /// <param name="computeSeconds">Teacher work spent on this upload, reported for the round's accounting.</param>
    /// <returns>The safetensors bytes, owned by the caller.</returns>
    public static byte[] Encode(int round, string participantId, string publicSetFingerprint, string dtype, int classes,
        IReadOnlyList<(TeacherReport Report, float[] Logits)> teachers, double computeSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(teachers);
        if (teachers.Count == 0) throw new ArgumentException("An upload carries at least one teacher.", nameof(teachers));
        if (!RoundSettings.AllowedLogitsDTypes.Contains(dtype)) throw new ArgumentException($"Unknown logits dtype '{dtype}'.", nameof(dtype));
        var entries = new List<SafetensorsEntry>(teachers.Count);
        foreach (var (report, logits) in teachers)
        {
            if (logits.Length % classes != 0) throw new ArgumentException($"Teacher '{report.TeacherId}' has {logits.Length} logits, not a multiple of {classes} classes.", nameof(teachers));
            long[] shape = [logits.Length / classes, classes];
            var name = TensorPrefix + report.TeacherId;
            entries.Add(dtype == "float16"
                ? SafetensorsEntry.FromValues<Half>(name, shape, Array.ConvertAll(logits, value => (Half)value))
                : SafetensorsEntry.FromValues<float>(name, shape, logits));
        }

        var metadata = new UploadMetadata(dtype, teachers.Select(t => t.Report).ToList(), computeSeconds);
        return SafetensorsWriter.ToBytes(entries, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["round"] = round.ToString(CultureInfo.InvariantCulture),
            ["participant"] = participantId,
            ["public_set_fingerprint"] = publicSetFingerprint,
            ["upload"] = JsonSerializer.Serialize(metadata, ProtocolJsonContext.Default.UploadMetadata),
        });
    }

    /// <summary>
    /// Parses and validates an upload against what the aggregator expects. Nothing is changed by a
    /// failure: the caller only acts on a returned value.
    /// </summary>
    /// <exception cref="FederationException">
    /// <see cref="FederationErrorKind.Invalid"/> with reason <c>malformed-safetensors</c>,
    /// <c>wrong-format</c>, <c>metadata-mismatch</c>, <c>wrong-fingerprint</c>, <c>wrong-dtype</c>,
    /// <c>wrong-shape</c>, <c>non-finite</c> or <c>bad-teachers</c>.
    /// </exception>
    public static DecodedUpload Decode(ReadOnlyMemory<byte> body, int expectedRound, string expectedParticipantId,
        string expectedFingerprint, int examples, int classes)
    {
        SafetensorsDocument document;
        try
        {
            document = SafetensorsReader.Read(body);
        }
        catch (SafetensorsFormatException error)
        {
            throw Invalid("malformed-safetensors", $"The body is not a valid safetensors file: {error.Message}");
        }

        var meta = document.Metadata;
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw Invalid("wrong-format", $"The safetensors metadata must carry format '{Format}'; got '{format ?? "(none)"}'.");
        if (!meta.TryGetValue("round", out var round) || round != expectedRound.ToString(CultureInfo.InvariantCulture))
            throw Invalid("metadata-mismatch", $"The upload's metadata names round '{round ?? "(none)"}' but was sent to round {expectedRound}.");
        if (!meta.TryGetValue("participant", out var participant) || participant != expectedParticipantId)
            throw Invalid("metadata-mismatch", $"The upload's metadata names participant '{participant ?? "(none)"}' but was sent as '{expectedParticipantId}'.");
        if (!meta.TryGetValue("public_set_fingerprint", out var fingerprint) || !string.Equals(fingerprint, expectedFingerprint, StringComparison.OrdinalIgnoreCase))
            throw Invalid("wrong-fingerprint", $"The logits were computed on public set '{fingerprint ?? "(none)"}', not on this federation's public set '{expectedFingerprint}'.");

        UploadMetadata? upload;
        try
        {
            upload = meta.TryGetValue("upload", out var json) ? JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.UploadMetadata) : null;
        }
        catch (JsonException error)
        {
            throw Invalid("bad-teachers", $"The 'upload' metadata is not valid JSON: {error.Message}");
        }

        if (upload?.Teachers is not { Count: > 0 } reports)
            throw Invalid("bad-teachers", "The 'upload' metadata must list at least one teacher.");
        if (reports.Count > MaxTeachers) throw Invalid("bad-teachers", $"An upload may carry at most {MaxTeachers} teachers; this one lists {reports.Count}.");
        if (document.Count != reports.Count)
            throw Invalid("bad-teachers", $"The metadata lists {reports.Count} teachers but the file holds {document.Count} tensors.");

        var teachers = new List<DecodedTeacherLogits>(reports.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var report in reports)
        {
            var teacherId = report?.TeacherId ?? string.Empty;
            if (report is null || !TeacherIdPattern().IsMatch(teacherId))
                throw Invalid("bad-teachers", $"Teacher id '{teacherId}' must match [A-Za-z0-9][A-Za-z0-9._-]{{0,63}}.");
            if (!seen.Add(teacherId)) throw Invalid("bad-teachers", $"Teacher '{report.TeacherId}' appears twice.");
            if (report.ClassCounts is null || report.ClassCounts.Count != classes || report.ClassCounts.Any(count => count < 0))
                throw Invalid("bad-teachers", $"Teacher '{report.TeacherId}' must report {classes} non-negative class counts.");
            if (!document.TryGetEntry(TensorPrefix + report.TeacherId, out var entry))
                throw Invalid("bad-teachers", $"The file has no tensor '{TensorPrefix}{report.TeacherId}'.");
            teachers.Add(new DecodedTeacherLogits(report, ReadLogits(entry, upload.DType, examples, classes)));
        }

        return new DecodedUpload(expectedRound, expectedParticipantId, upload, teachers);
    }

    /// <summary>Encodes the ensemble's [N, C] float32 logits of a round (what co-distillation rounds digest).</summary>
    public static byte[] EncodeConsensus(int round, string publicSetFingerprint, float[] logits, int classes) =>
        SafetensorsWriter.ToBytes(
            [SafetensorsEntry.FromValues<float>("consensus", [logits.Length / classes, classes], logits)],
            new Dictionary<string, string>
            {
                ["format"] = "feddistill-consensus/1",
                ["round"] = round.ToString(CultureInfo.InvariantCulture),
                ["public_set_fingerprint"] = publicSetFingerprint,
            });

    /// <summary>Reads a consensus written by <see cref="EncodeConsensus"/>, checking it is for this public set.</summary>
    /// <exception cref="FederationException">It is malformed, or for another public set or shape.</exception>
    public static float[] DecodeConsensus(ReadOnlyMemory<byte> body, string expectedFingerprint, int examples, int classes)
    {
        SafetensorsDocument document;
        try
        {
            document = SafetensorsReader.Read(body);
        }
        catch (SafetensorsFormatException error)
        {
            throw Invalid("malformed-safetensors", $"The consensus is not a valid safetensors file: {error.Message}");
        }

        if (!document.Metadata.TryGetValue("public_set_fingerprint", out var fingerprint) || !string.Equals(fingerprint, expectedFingerprint, StringComparison.OrdinalIgnoreCase))
            throw Invalid("wrong-fingerprint", $"The consensus is for public set '{fingerprint ?? "(none)"}', not '{expectedFingerprint}'.");
        if (!document.TryGetEntry("consensus", out var entry)) throw Invalid("wrong-format", "The consensus file has no 'consensus' tensor.");
        return ReadLogits(entry, "float32", examples, classes);
    }

    private static float[] ReadLogits(SafetensorsEntry entry, string declaredDType, int examples, int classes)
    {
        var expectedDType = declaredDType switch
        {
            "float32" => SafetensorsDType.Float32,
            "float16" => SafetensorsDType.Float16,
            _ => throw Invalid("wrong-dtype", $"The upload declares dtype '{declaredDType}'; allowed: {string.Join(", ", RoundSettings.AllowedLogitsDTypes)}."),
        };
        if (entry.DType != expectedDType)
            throw Invalid("wrong-dtype", $"Tensor '{entry.Name}' is {entry.DType}; the upload declares {declaredDType}.");
        if (entry.Shape.Count != 2 || entry.Shape[0] != examples || entry.Shape[1] != classes)
            throw Invalid("wrong-shape", $"Tensor '{entry.Name}' has shape [{string.Join(", ", entry.Shape)}]; expected [{examples}, {classes}] (public set rows × classes).");

        var logits = expectedDType == SafetensorsDType.Float16
            ? Array.ConvertAll(entry.ToArray<Half>(), value => (float)value)
            : entry.ToArray<float>();
        for (var i = 0; i < logits.Length; i++)
        {
            if (!float.IsFinite(logits[i]))
                throw Invalid("non-finite", $"Tensor '{entry.Name}' holds {logits[i]} at row {i / classes}, column {i % classes}; logits must be finite.");
        }

        return logits;
    }

    private static FederationException Invalid(string reason, string message) => new(FederationErrorKind.Invalid, reason, message);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex TeacherIdPattern();
}
