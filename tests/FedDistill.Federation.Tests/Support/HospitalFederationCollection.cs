namespace FedDistill.Federation.Tests.Support;

/// <summary>The test classes that share one <see cref="HospitalFederationFixture"/>: starting a cluster is the slowest step.</summary>
[CollectionDefinition(Name)]
public sealed class HospitalFederationCollection : ICollectionFixture<HospitalFederationFixture>
{
    public const string Name = "hospital federation";
}
