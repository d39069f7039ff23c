using System.Buffers;
using System.Security.Cryptography;
using FedDistill.Grains.Persistence;

namespace FedDistill.Storage.Artifacts;

/// <summary>
/// <see cref="IArtifactStore"/> on the local file system: each blob is the file
/// <c>&lt;root&gt;/&lt;first two hex digits&gt;/&lt;sha256&gt;</c>, named by the SHA-256 of its bytes.
/// </summary>
/// <remarks>
/// A blob is written to a temporary file in its final directory, flushed to disk, then renamed
/// into place without overwriting, and the directory itself is flushed so that the rename
/// survives a power loss; a reader therefore sees a whole blob or none. Blobs are immutable:
/// storing bytes that are already there touches nothing. Safe for concurrent callers and for
/// several processes sharing the root. A hash passed in is checked to be 64 hex digits before it
/// becomes part of a path, so no caller's string can reach outside the root.
/// </remarks>
public sealed class FileArtifactStore : IArtifactStore
{
    private const string TemporarySuffix = ".partial";

    /// <summary>Creates a store rooted at <paramref name="rootDirectory"/> (created on the first write).</summary>
    /// <param name="rootDirectory">Where the blobs live; relative paths are resolved against the current directory now.</param>
    public FileArtifactStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        RootDirectory = Path.GetFullPath(rootDirectory);
    }

    /// <summary>The absolute path of the root directory.</summary>
    public string RootDirectory { get; }

    /// <inheritdoc />
    public async Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var path = PathOf(sha256);
        if (File.Exists(path))
        {
            return sha256;
        }

        var directory = Path.GetDirectoryName(path)!;
        var createdDirectory = !Directory.Exists(directory);
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{sha256}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            await using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                PreallocationSize = content.Length,
            }))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another writer stored the same bytes first; its blob is as good as ours.
                return sha256;
            }
            DirectorySync.Flush(directory);
            if (createdDirectory)
            {
                DirectorySync.Flush(RootDirectory);
            }
            return sha256;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken)
    {
        var path = PathOf(Normalize(sha256));
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public bool Contains(string sha256) => File.Exists(PathOf(Normalize(sha256)));

    /// <summary>Where the blob with hash <paramref name="sha256"/> lives (whether or not it exists).</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not 64 hex digits.</exception>
    public string PathOf(string sha256)
    {
        var normalized = Normalize(sha256);
        return Path.Combine(RootDirectory, normalized[..2], normalized);
    }

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>The hash in lower case, after checking it is exactly 64 hex digits.</summary>
    private static string Normalize(string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        if (sha256.Length != 64 || sha256.AsSpan().ContainsAnyExcept(HexDigits))
        {
            throw new ArgumentException(
                $"A SHA-256 is 64 hex digits; got {(sha256.Length > 80 ? sha256[..80] + "..." : sha256)} ({sha256.Length} characters).",
                nameof(sha256));
        }
        return sha256.ToLowerInvariant();
    }
}
