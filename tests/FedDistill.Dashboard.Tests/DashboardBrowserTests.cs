using System.Text.Json;
using FedDistill.Dashboard.Tests.Support;
using FedDistill.Grains.Protocol;

namespace FedDistill.Dashboard.Tests;

/// <summary>The dashboard in a real browser: Debian's headless Chromium, driven by playwright-core, against a federation of silo processes.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests(DashboardFederation fixture)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_round_started_from_the_console_appears_and_progresses_live_then_charts_its_accuracy()
    {
        var federation = fixture.Federation;
        Directory.CreateDirectory(TestRepository.TestResults);
        var screenshot = Path.Combine(TestRepository.TestResults, "dashboard.png");
        RoundInfo? ended = null;

        var result = await BrowserScript.RunAsync(
            ["live", federation.AggregatorUrl.ToString().TrimEnd('/'), fixture.AdminCertificatePath, fixture.AdminKeyPath, federation.CaCertificatePath, screenshot],
            async ready =>
            {
                // The page is live: start a round now from the real console, as an operator would.
                ended = await fixture.RunRoundAsync(() => OperatorConsole.StartRoundAsync(federation, DashboardFederation.RoundSettings));
            },
            ScriptTimeout);

        Assert.NotNull(ended);
        Assert.True(ended!.State == RoundState.Completed, $"round {ended.Round} ended {ended.State}: {ended.FailureReason}\n{federation.Logs()}");
        Assert.Equal(ended.Round, result.GetProperty("round").GetInt32());
        Assert.Equal("completed", result.GetProperty("state").GetString());

        // Live, without a reload: one page load, updates from the event stream, and the rounds
        // table showed the upload count change in place.
        Assert.True(result.GetProperty("samePageLoad").GetBoolean(), result.ToString());
        Assert.Equal(1, result.GetProperty("navigations").GetInt32());
        var sse = result.GetProperty("sseHistory").EnumerateArray().ToList();
        Assert.Contains(sse, h => h.GetProperty("state").GetString() == "open" && h.GetProperty("uploads").GetInt32() == 0);
        Assert.Contains(sse, h => h.GetProperty("uploads").GetInt32() == DashboardFederation.Participants);
        Assert.Contains(sse, h => h.GetProperty("state").GetString() == "completed");
        var domUploads = result.GetProperty("domUploads").EnumerateArray().Select(e => e.GetProperty("uploads").GetInt32()).ToList();
        Assert.True(domUploads.Distinct().Count() >= 2 && domUploads[^1] == DashboardFederation.Participants,
            $"the rounds table showed upload counts {string.Join(", ", domUploads)}; expected a change up to {DashboardFederation.Participants}");
        Assert.True(result.GetProperty("events").GetProperty("upload").GetInt32() >= DashboardFederation.Participants, result.GetProperty("events").ToString());
        Assert.Equal("live", result.GetProperty("connection").GetString());
        Assert.True(result.GetProperty("liveChartPoints").GetInt32() >= 3, "the live chart of the round got too few points: " + result);

        // After completion: the accuracy chart has this round's point, the teachers are charted,
        // the table shows the student's accuracy, participants show their teachers and weight.
        Assert.True(result.GetProperty("accuracyPoints").GetInt32() >= 1);
        Assert.True(result.GetProperty("accuracyCanvas").GetBoolean(), "no uPlot canvas in #chart-accuracy (is the chart library served?)");
        Assert.Equal(DashboardFederation.Participants, result.GetProperty("teacherSeries").GetInt32());
        Assert.Equal(ended.Result!.StudentAccuracy!.Value, double.Parse(result.GetProperty("studentAccuracy").GetString()!, System.Globalization.CultureInfo.InvariantCulture), 6);
        var participants = result.GetProperty("participants").EnumerateArray().ToList();
        Assert.Equal(federation.ParticipantIds.Order(), participants.Select(p => p.GetProperty("id").GetString()!).Order());
        Assert.All(participants, p => Assert.Contains("mlp", p.GetProperty("text").GetString(), StringComparison.Ordinal));
        Assert.All(participants, p => Assert.Contains("%", p.GetProperty("text").GetString(), StringComparison.Ordinal));
        Assert.Empty(result.GetProperty("pageErrors").EnumerateArray());
        Assert.Empty(result.GetProperty("consoleErrors").EnumerateArray());

        // The picture of the finished round, kept as a test artifact (docs/images/dashboard.png is a copy of one).
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"{screenshot} is too small to be a screenshot");
    }

    [Fact]
    public async Task A_visit_without_the_admin_certificate_is_refused_and_shows_no_data()
    {
        var federation = fixture.Federation;
        var result = await BrowserScript.RunAsync(["anonymous", federation.AggregatorUrl.ToString().TrimEnd('/')], onReady: null, ScriptTimeout);

        Assert.Equal(401, result.GetProperty("status").GetInt32());
        Assert.True(result.GetProperty("hasRefusal").GetBoolean(), result.ToString());
        Assert.False(result.GetProperty("hasDashboardScript").GetBoolean());
        var body = result.GetProperty("body").GetString()!;
        Assert.Contains("client certificate", body, StringComparison.Ordinal);
        Assert.All(federation.ParticipantIds, id => Assert.DoesNotContain(id, body, StringComparison.Ordinal));
        Assert.DoesNotContain("dashboard-test", body, StringComparison.Ordinal);
        var fetched = result.GetProperty("fetched");
        foreach (var path in new[] { "/v1/events", "/v1/participants", "/v1/rejections", "/dashboard/dashboard.js" })
            Assert.True(fetched.GetProperty(path).GetProperty("status").GetInt32() == 401, $"{path}: {fetched.GetProperty(path)}");
        // Metrics hold no private data and scrapers present no certificate: anonymous on purpose.
        Assert.Equal(200, fetched.GetProperty("/metrics").GetProperty("status").GetInt32());
    }
}
