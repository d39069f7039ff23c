using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;

namespace FedDistill.Grains.Storage;

/// <summary>
/// Write-once byte artifacts of one federation (uploaded logits, consensus logits, students),
/// kept through the <see cref="StorageNames.FederationArtifacts"/> grain storage provider (Azure
/// blobs in a cluster, memory in tests). An artifact is written before anything refers to it,
/// so a reader never sees a reference to a missing artifact.
/// </summary>
public sealed class ArtifactArchive
{
    private static readonly GrainType ArtifactType = GrainType.Create("feddistill-artifact");
    private readonly IGrainStorage _storage;

    /// <summary>Binds to the silo's artifact provider.</summary>
    /// <exception cref="InvalidOperationException">This silo has no such provider (it is not the aggregator's).</exception>
    public ArtifactArchive(IServiceProvider services)
    {
        _storage = services.GetKeyedService<IGrainStorage>(StorageNames.FederationArtifacts)
            ?? throw new InvalidOperationException($"This silo has no '{StorageNames.FederationArtifacts}' grain storage: artifacts are kept only on the aggregator's silo.");
    }

    /// <summary>Stores <paramref name="data"/> under <paramref name="name"/>, replacing what was there.</summary>
    /// <remarks>
    /// Artifacts are written once, so the write first claims a new record; only a name written
    /// before (a retried upload, a resumed round) costs a read, for the stored record's ETag.
    /// </remarks>
    public async Task PutAsync(string federation, string name, byte[] data)
    {
        var id = Id(federation, name);
        var state = new GrainState<ArtifactState>(new ArtifactState { Data = data });
        try
        {
            await _storage.WriteStateAsync(nameof(ArtifactState), id, state).ConfigureAwait(false);
        }
        catch (InconsistentStateException)
        {
            var existing = new GrainState<ArtifactState>();
            await _storage.ReadStateAsync(nameof(ArtifactState), id, existing).ConfigureAwait(false);
            state.ETag = existing.ETag;
            await _storage.WriteStateAsync(nameof(ArtifactState), id, state).ConfigureAwait(false);
        }
    }

    /// <summary>The artifact, or null when there is none.</summary>
    public async Task<byte[]?> GetAsync(string federation, string name)
    {
        var state = new GrainState<ArtifactState>();
        await _storage.ReadStateAsync(nameof(ArtifactState), Id(federation, name), state).ConfigureAwait(false);
        return state.RecordExists ? state.State?.Data : null;
    }

    private static GrainId Id(string federation, string name) => GrainId.Create(ArtifactType, $"{federation}/{name}");
}

/// <summary>One stored artifact.</summary>
[GenerateSerializer]
public sealed class ArtifactState
{
    /// <summary>Its bytes.</summary>
    [Id(0)]
    public byte[] Data { get; set; } = [];
}
