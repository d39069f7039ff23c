using FedDistill.Grains.Placement;
using FedDistill.Grains.Protocol;
using Orleans.Runtime;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>An organization's grains run on its own silo and nowhere else, even when that silo is gone.</summary>
[Trait("Tier", "Slow")]
public sealed class PlacementTests(ThreeHospitalsFixture fixture) : IClassFixture<ThreeHospitalsFixture>
{
    private FederationCluster Federation => fixture.Federation;

    /// <summary>
    /// Hospital-2's client and teacher activate on hospital-2's silo only; once that silo is killed,
    /// a call to its client fails as <c>site-unavailable</c> and no other silo activates it, while
    /// the other hospitals keep answering.
    /// </summary>
    [Fact]
    public async Task A_hospitals_grains_run_only_on_its_silo_and_fail_clearly_once_it_is_killed()
    {
        var client = Federation.Cluster.Client.GetGrain<IClientGrain>("hospital-2");
        var teacher = Federation.Cluster.Client.GetGrain<ITeacherGrain>(SiteNames.TeacherKey("hospital-2", "mlp"));

        Assert.Equal("idle", (await client.GetStatusAsync()).Status);
        Assert.Equal("mlp", (await teacher.GetReportAsync()).TeacherId);
        Assert.Equal(["hospital-2"], await Federation.SitesHostingAsync(client.GetGrainId()));
        Assert.Equal(["hospital-2"], await Federation.SitesHostingAsync(teacher.GetGrainId()));

        await Federation.Cluster.KillSiloAsync(Federation.SiloOf("hospital-2"));
        await Federation.Cluster.WaitForLivenessToStabilizeAsync();

        var refused = await Assert.ThrowsAsync<FederationException>(() => client.GetStatusAsync());
        Assert.Equal(FederationErrorKind.Unavailable, refused.Kind);
        Assert.Equal("site-unavailable", refused.Reason);
        Assert.Contains("'hospital-2'", refused.Message);
        var teacherRefused = await Assert.ThrowsAsync<FederationException>(() => teacher.GetReportAsync());
        Assert.Equal("site-unavailable", teacherRefused.Reason);
        Assert.Empty(await Federation.SitesHostingAsync(client.GetGrainId()));
        Assert.Empty(await Federation.SitesHostingAsync(teacher.GetGrainId()));
        Assert.Equal("idle", (await Federation.Cluster.Client.GetGrain<IClientGrain>("hospital-1").GetStatusAsync()).Status);
    }

    /// <summary>A client keyed for an organization that has no silo in the cluster cannot activate anywhere.</summary>
    [Fact]
    public async Task A_client_of_an_organization_without_a_silo_fails_as_site_unavailable()
    {
        var client = Federation.Cluster.Client.GetGrain<IClientGrain>("hospital-7");

        var refused = await Assert.ThrowsAsync<FederationException>(() => client.GetStatusAsync());

        Assert.Equal(FederationErrorKind.Unavailable, refused.Kind);
        Assert.Equal("site-unavailable", refused.Reason);
        Assert.Contains("'hospital-7'", refused.Message);
        Assert.Empty(await Federation.SitesHostingAsync(client.GetGrainId()));
    }

    /// <summary>A teacher key naming a teacher its organization does not configure fails its activation on that organization's silo.</summary>
    [Fact]
    public async Task A_teacher_its_organization_does_not_configure_fails_to_activate()
    {
        var teacher = Federation.Cluster.Client.GetGrain<ITeacherGrain>(SiteNames.TeacherKey("hospital-1", "cnn"));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => teacher.GetReportAsync());

        Assert.Contains("has no teacher 'cnn'", refused.Message);
        Assert.Empty(await Federation.SitesHostingAsync(teacher.GetGrainId()));
    }
}
