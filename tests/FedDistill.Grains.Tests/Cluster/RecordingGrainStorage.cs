using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>Every state a silo's recorded storage providers wrote, serialized as written, in order.</summary>
public sealed class StorageWrites
{
    private readonly ConcurrentQueue<(string Provider, string Grain, byte[] Bytes)> _writes = new();

    public int Count => _writes.Count;

    public void Add(string provider, string grain, byte[] bytes) => _writes.Enqueue((provider, grain, bytes));

    /// <summary>
    /// Awaited before each write reaches the real provider, with the grain id written (an
    /// artifact's id ends with its name): a test holds one write back to see what goes on meanwhile.
    /// </summary>
    public Func<string, Task>? BeforeWrite { get; set; }

    /// <summary>The writes from the <paramref name="from"/>-th on.</summary>
    public IReadOnlyList<(string Provider, string Grain, byte[] Bytes)> Since(int from) => _writes.ToArray().Skip(from).ToList();
}

/// <summary>
/// A grain storage provider that records every state it writes (serialized at the moment of the
/// write) before handing it to the real provider, so a test can read all that a silo stored.
/// </summary>
public sealed class RecordingGrainStorage(string provider, IGrainStorage inner, StorageWrites writes, Serializer serializer) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        writes.Add(provider, grainId.ToString(), serializer.SerializeToArray(grainState.State));
        if (writes.BeforeWrite is { } before) await before(grainId.ToString());
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}
