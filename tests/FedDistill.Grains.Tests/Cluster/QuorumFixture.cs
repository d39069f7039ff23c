using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>
/// Three hospital silos, all admitted, and a fourth participant, <see cref="Silent"/>, that has no
/// silo: it never uploads, so a round can only close at its deadline.
/// </summary>
public sealed class QuorumFixture : FederationFixture
{
    /// <summary>The admitted organization without a silo.</summary>
    public const string Silent = "hospital-9";

    /// <inheritdoc />
    protected override int Hospitals => 3;

    /// <inheritdoc />
    protected override async Task OnStartedAsync(FederationCluster federation)
    {
        await federation.AdmitAllAsync();
        await federation.Aggregator.AdmitAsync(new RegisterParticipantRequest(Silent));
    }
}
