using Orleans.Serialization;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// Stores one round's uploads before the aggregator acknowledges them, several to a storage write.
/// Up to <see cref="MaxWritesInFlight"/> writes run at once; an upload that arrives while they
/// all run waits, with every other that arrives meanwhile, for the next write. Uploads that
/// trickle in are each written at once; a burst (fifty organizations whose teachers finish
/// together) takes a handful of writes instead of fifty. A write's cost is mostly per request
/// (Azurite serves them one at a time on one Node.js thread), so fewer, larger writes end the
/// burst sooner; a write carries at most <see cref="MaxBatchBytes"/>, so that a large federation's
/// burst still spreads over the writes in flight.
/// </summary>
/// <remarks>
/// A write is named after its first upload's organization (<see cref="ArtifactName"/>), so an
/// aggregator restarted before the round's state was written finds every stored upload by trying
/// each organization's name; an organization has one upload in flight, so a name is written again
/// only when a write under it failed and the organization uploads anew, and then the uploads the
/// failed write carried were refused. Called from the aggregator grain's turn only.
/// </remarks>
/// <param name="write">Stores bytes under a name: the federation's artifact archive.</param>
/// <param name="serializer">Encodes a write's uploads.</param>
/// <param name="round">The round whose uploads these are.</param>
internal sealed class UploadWriter(Func<string, byte[], Task> write, Serializer serializer, int round)
{
    /// <summary>How many storage writes may run at once.</summary>
    public const int MaxWritesInFlight = 4;

    /// <summary>The most payload bytes one write carries (an upload larger than this goes alone).</summary>
    public const long MaxBatchBytes = 1L << 20;

    private readonly List<Batch> _waiting = [];
    private int _inFlight;

    /// <summary>The round whose uploads this writer stores.</summary>
    public int Round => round;

    /// <summary>The storage name of a write whose first upload is <paramref name="participantId"/>'s.</summary>
    public static string ArtifactName(int round, string participantId) => $"uploads/{round}/{participantId}";

    /// <summary>The uploads a stored write carries.</summary>
    public static StoredUploads Read(Serializer serializer, byte[] stored) =>
        serializer.Deserialize<StoredUploads>(stored) ?? throw new InvalidOperationException("A stored write of uploads is empty.");

    /// <summary>Stores <paramref name="payload"/>; completes with the name it is stored under once it is durable.</summary>
    /// <exception cref="Exception">The storage write failed; the upload is not stored.</exception>
    public Task<string> StoreAsync(string participantId, byte[] payload)
    {
        var batch = _waiting.Count > 0 && _waiting[^1].Bytes + payload.LongLength <= MaxBatchBytes ? _waiting[^1] : null;
        if (batch is null)
        {
            batch = new Batch();
            _waiting.Add(batch);
        }

        batch.Uploads.Add(new StoredUpload(participantId, payload));
        batch.Bytes += payload.LongLength;
        StartWrites();
        return batch.Stored.Task;
    }

    private void StartWrites()
    {
        while (_inFlight < MaxWritesInFlight && _waiting.Count > 0)
        {
            var batch = _waiting[0];
            _waiting.RemoveAt(0);
            _inFlight++;
            _ = WriteAsync(batch);
        }
    }

    // Ends in the batch's outcome, never in an exception: the uploads' completions await it.
    private async Task WriteAsync(Batch batch)
    {
        var name = ArtifactName(round, batch.Uploads[0].ParticipantId);
        try
        {
            Console.WriteLine($"DIAG {DateTime.UtcNow:HH:mm:ss.fff} write {name} {batch.Uploads.Count} start");
            await write(name, serializer.SerializeToArray(new StoredUploads(batch.Uploads)));
            Console.WriteLine($"DIAG {DateTime.UtcNow:HH:mm:ss.fff} write {name} {batch.Uploads.Count} done");
            batch.Stored.SetResult(name);
        }
        catch (Exception error)
        {
            batch.Stored.SetException(error);
        }
        finally
        {
            _inFlight--;
            StartWrites();
        }
    }

    private sealed class Batch
    {
        public List<StoredUpload> Uploads { get; } = [];

        public long Bytes { get; set; }

        public TaskCompletionSource<string> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The uploads one storage write carries, each organization's payload as it arrived.</summary>
/// <param name="Uploads">The uploads, in the order they arrived.</param>
[GenerateSerializer, Immutable]
public sealed record StoredUploads([property: Id(0)] IReadOnlyList<StoredUpload> Uploads)
{
    /// <summary><paramref name="participantId"/>'s payload, or null when this write does not carry it.</summary>
    public byte[]? Find(string participantId) => Uploads.FirstOrDefault(u => u.ParticipantId == participantId)?.Payload;
}

/// <summary>One organization's payload in a stored write.</summary>
/// <param name="ParticipantId">The organization.</param>
/// <param name="Payload">Its payload, as it arrived.</param>
[GenerateSerializer, Immutable]
public sealed record StoredUpload([property: Id(0)] string ParticipantId, [property: Id(1)] byte[] Payload);
