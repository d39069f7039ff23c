namespace FedDistill.Grains.Tests.Cluster;

/// <summary>The aggregator's silo and three hospital silos; nobody admitted.</summary>
public sealed class ThreeHospitalsFixture : FederationFixture
{
    /// <inheritdoc />
    protected override int Hospitals => 3;
}
