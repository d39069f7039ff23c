using FedDistill.Distillation.Federated;
using System.Collections.Concurrent;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Federation;

/// <summary>
/// The public sets and evaluation sets this silo has built from its local data, each built once
/// and shared by every grain of the silo (a Fashion-MNIST public set is tens of megabytes).
/// </summary>
/// <param name="dataDirectory">Fashion-MNIST directory, or null for the Debian package's location.</param>
public sealed class PublicSetCatalog(string? dataDirectory)
{
    private readonly ConcurrentDictionary<PublicSetSpec, Lazy<PublicSet>> _publicSets = new();

    /// <summary>The silo's data sources.</summary>
    public DataSources Sources { get; } = new(dataDirectory);

    /// <summary>The public set of <paramref name="spec"/>, built on first use.</summary>
    /// <exception cref="ArgumentException">The spec is invalid or reaches past the source.</exception>
    public PublicSet Get(PublicSetSpec spec) =>
        _publicSets.GetOrAdd(spec, key => new Lazy<PublicSet>(() => PublicSet.Load(key.ToDefinition(), Sources), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>The public set of <paramref name="spec"/>, checked against the federation's fingerprint.</summary>
    /// <exception cref="FederationException">The local copy differs (<c>wrong-fingerprint</c>).</exception>
    public PublicSet GetVerified(PublicSetSpec spec, string fingerprint)
    {
        var publicSet = Get(spec);
        if (!string.Equals(publicSet.Fingerprint, fingerprint, StringComparison.OrdinalIgnoreCase))
            throw new FederationException(FederationErrorKind.Invalid, "wrong-fingerprint",
                $"This silo's copy of the public set has fingerprint {publicSet.Fingerprint}, but the federation announces {fingerprint}: the local data differs; fix it before taking part.");
        return publicSet;
    }
}
