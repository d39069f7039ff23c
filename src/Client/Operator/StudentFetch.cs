using System.Buffers.Binary;
using System.Security.Cryptography;
using FedDistill.Grains;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Operator;

/// <summary>Downloads a published student and checks it is the checkpoint its round recorded.</summary>
public static class StudentFetch
{
    /// <summary>The student's state dict and its SHA-256, verified against its round's result.</summary>
    /// <param name="aggregator">The aggregator.</param>
    /// <param name="version">The student's version (its round's number).</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <exception cref="FederationException">No such student.</exception>
    /// <exception cref="OperationFailedException">The bytes do not hash to the round result's <see cref="RoundResult.StudentSha256"/>.</exception>
    public static async Task<(byte[] State, string Sha256)> DownloadAsync(IAggregatorGrain aggregator, int version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        using var buffer = new MemoryStream();
        await foreach (var chunk in aggregator.ReadStudentAsync(version).WithCancellation(cancellationToken).ConfigureAwait(false)) buffer.Write(chunk);
        var state = buffer.ToArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(state));
        var round = await aggregator.GetRoundAsync(version).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (round.Result is { } result && !string.Equals(result.StudentSha256, sha, StringComparison.OrdinalIgnoreCase))
            throw new OperationFailedException($"Student v{version} downloaded with SHA-256 {sha}, but round {version} recorded {result.StudentSha256}; nothing was written. Try again.");
        return (state, sha);
    }

    /// <summary>
    /// The target logits a completed round's student distilled from (<see cref="IAggregatorGrain.ReadDistillationTargetAsync"/>),
    /// checked to hold <paramref name="examples"/> rows of <paramref name="classes"/> finite values.
    /// </summary>
    /// <exception cref="FederationException">No such round, or not completed.</exception>
    /// <exception cref="OperationFailedException">The target has another size than the public set rebuilt here, or a value that is not finite.</exception>
    public static async Task<float[]> DownloadTargetAsync(IAggregatorGrain aggregator, int round, int examples, int classes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        using var buffer = new MemoryStream();
        await foreach (var chunk in aggregator.ReadDistillationTargetAsync(round).WithCancellation(cancellationToken).ConfigureAwait(false)) buffer.Write(chunk);
        var expected = (long)examples * classes * sizeof(float);
        if (buffer.Length != expected)
            throw new OperationFailedException($"Round {round}'s distillation target is {buffer.Length} bytes, but {examples} public examples × {classes} classes need {expected}; "
                + "the public set rebuilt here is not the federation's.");
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var target = new float[examples * classes];
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
            if (!float.IsFinite(target[i])) throw new OperationFailedException($"Round {round}'s distillation target has a value that is not finite (row {i / classes}).");
        }
        return target;
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> through a temporary file, so a failure leaves no partial file.</summary>
    /// <exception cref="OperatorUsageException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> bytes, bool overwrite, string option, CancellationToken cancellationToken)
    {
        if (File.Exists(path) && !overwrite) throw new OperatorUsageException($"{option}: {path} already exists; add --force to replace it.");
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var temporary = path + ".partial";
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }
}
