using System.Net;
using System.Text.Json;
using FedDistill.Dashboard.Tests.Support;

namespace FedDistill.Dashboard.Tests;

/// <summary>
/// The Orleans Dashboard at <c>/orleans/</c> on the aggregator's silo process: admin only, like the
/// federation's own page, and its grain-state page (which activates grains and returns their
/// state) refused to everyone.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class OrleansDashboardEndpointTests(DashboardFederation fixture)
{
    private static readonly string[] Paths = ["/orleans", "/orleans/", "/orleans/index.html", "/orleans/index.min.js", "/orleans/DashboardCounters",
        "/orleans/ClusterStats", "/orleans/GrainTypes", "/orleans/GrainState?grainId=aggregator&grainType=FedDistill.Grains.Aggregator.AggregatorGrain", "/orleans/Trace"];

    [Fact]
    public async Task Without_an_identity_every_Orleans_Dashboard_route_answers_401()
    {
        using var anonymous = fixture.CreateAnonymousClient();
        foreach (var path in Paths)
        {
            using var response = await anonymous.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {(int)response.StatusCode} {body}");
            Assert.DoesNotContain("Orleans Dashboard", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_participant_is_refused_with_403()
    {
        using var participant = fixture.CreateClient(fixture.Federation.ParticipantIds[0]);
        foreach (var path in Paths)
        {
            using var response = await participant.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task The_admin_gets_the_page_and_the_clusters_counters()
    {
        using var admin = fixture.CreateClient("admin");

        // /orleans redirects to /orleans/ (the client follows it), where the page's relative links work.
        foreach (var path in new[] { "/orleans", "/orleans/" })
        {
            using var page = await admin.GetAsync(path);
            var html = await page.Content.ReadAsStringAsync();
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"{path}: {(int)page.StatusCode} {html}");
            Assert.Equal("/orleans/", page.RequestMessage!.RequestUri!.AbsolutePath);
            Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
            Assert.Contains("<title>Orleans Dashboard</title>", html, StringComparison.Ordinal);
        }

        // The cluster's three silos (the aggregator's and two hospitals') once the dashboard's counters have come round.
        using var document = await fixture.OrleansDashboardCountersAsync(admin, DashboardFederation.Participants + 1);
        var json = document.RootElement.ToString();
        var hosts = document.RootElement.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("siloName").GetString()).Order().ToList();
        Assert.Equal(["aggregator", .. fixture.Federation.ParticipantIds], hosts);
        var grainTypes = document.RootElement.GetProperty("simpleGrainStats").EnumerateArray().Select(g => g.GetProperty("grainType").GetString()).ToList();
        Assert.Contains("FedDistill.Grains.Aggregator.AggregatorGrain", grainTypes);
    }

    [Fact]
    public async Task The_grain_state_page_is_refused_even_to_the_admin()
    {
        using var admin = fixture.CreateClient("admin");
        using var response = await admin.GetAsync("/orleans/GrainState?grainId=hospital-1/mlp&grainType=FedDistill.Grains.Teachers.TeacherGrain");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{(int)response.StatusCode} {body}");
        Assert.Contains("grain-state page is not served", body, StringComparison.Ordinal);
    }
}
