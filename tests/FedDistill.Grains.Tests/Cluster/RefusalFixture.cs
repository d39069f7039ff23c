using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>
/// The aggregator's silo alone, with <see cref="Participant"/> admitted: it has no silo, so a
/// round started here stays open, and every organization call the tests make comes from outside
/// any client grain.
/// </summary>
public sealed class RefusalFixture : FederationFixture
{
    /// <summary>The admitted organization.</summary>
    public const string Participant = "hospital-1";

    /// <inheritdoc />
    protected override int Hospitals => 0;

    /// <inheritdoc />
    protected override Task OnStartedAsync(FederationCluster federation) =>
        federation.Aggregator.AdmitAsync(new RegisterParticipantRequest(Participant, "Hospital One"));
}
