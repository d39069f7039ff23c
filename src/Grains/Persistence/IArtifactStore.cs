namespace FedDistill.Grains.Persistence;

/// <summary>
/// Content-addressed storage of large immutable blobs (uploaded logits, student checkpoints,
/// consensus targets), keyed by the SHA-256 of their bytes.
/// </summary>
/// <remarks>
/// A write is atomic: a reader never sees a partial blob, even when the process is killed
/// mid-write (write to a temporary file, flush to disk, rename). Writing the same bytes twice is a no-op.
/// </remarks>
public interface IArtifactStore
{
    /// <summary>Stores <paramref name="content"/> durably and returns its SHA-256 as lower-case hex.</summary>
    Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>The blob's bytes, or <see langword="null"/> when no blob has that hash.</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not 64 hex digits.</exception>
    Task<byte[]?> GetAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Whether a blob with that hash is stored.</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not 64 hex digits.</exception>
    bool Contains(string sha256);
}
