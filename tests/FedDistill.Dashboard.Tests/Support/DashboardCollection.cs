namespace FedDistill.Dashboard.Tests.Support;

/// <summary>The test classes that share one <see cref="DashboardFederation"/>.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFederation>
{
    public const string Name = "dashboard federation";
}
