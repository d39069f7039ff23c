using FedDistill.Dashboard.Tests.Support;
using FedDistill.Grains.Protocol;
using FedDistill.Security;

namespace FedDistill.Dashboard.Tests;

/// <summary>The dashboard in a real browser: Debian's headless Chromium, driven by playwright-core, against a federation of silo processes.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests(DashboardFederation fixture)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(4);

    // The silo's feed reads the aggregator grain once a second, and a tiny round is over in under
    // one (its uploads come at once, three student epochs take a tenth of a second); a long
    // student training keeps the round distilling for several reads, so that the page can be
    // seen following it. 300 epochs once lasted between one read and two (the page saw one
    // progress value): 1,000, the most a round takes, last several seconds.
    private static RoundSettings LiveRoundSettings => DashboardFederation.RoundSettings with { StudentEpochs = 1_000 };

    /// <summary>
    /// Proves the page is live, not reloaded: a round started from the real console while the
    /// page is open shows up, its distillation progress changes in place, it completes with both
    /// uploads and the accuracy the aggregator recorded, and a refusal recorded during the
    /// round (an upload chunk for a hospital from outside its client grain) appears with its
    /// participant, round and reason.
    /// </summary>
    [Fact]
    public async Task A_round_started_from_the_console_appears_and_progresses_live_then_charts_its_accuracy()
    {
        var federation = fixture.Federation;
        Directory.CreateDirectory(TestRepository.TestResults);
        var screenshot = Path.Combine(TestRepository.TestResults, "dashboard.png");
        RoundInfo? ended = null;

        var result = await BrowserScript.RunAsync(
            ["live", federation.WebUrl.ToString().TrimEnd('/'), FederationHttpClientFactory.InsecureIdentityHeader, "admin", screenshot],
            async ready =>
            {
                // The page is live: start a round now from the real console, as an operator would.
                ended = await fixture.RunRoundAsync(async () =>
                {
                    var round = await OperatorConsole.StartRoundAsync(federation, LiveRoundSettings);
                    await fixture.ImpersonateAsync("hospital-2", round);
                    return round;
                });
            },
            ScriptTimeout);

        Assert.NotNull(ended);
        Assert.True(ended!.State == RoundState.Completed, $"round {ended.Round} ended {ended.State}: {ended.FailureReason}\n{federation.Logs()}");
        Assert.Equal(ended.Round, result.GetProperty("round").GetInt32());
        Assert.Equal("completed", result.GetProperty("state").GetString());

        // Live, without a reload: one page load, updates from the event stream, and the rounds
        // table showed the round's state and progress change in place before it completed.
        Assert.True(result.GetProperty("samePageLoad").GetBoolean(), result.ToString());
        Assert.Equal(1, result.GetProperty("navigations").GetInt32());
        var sse = result.GetProperty("sseHistory").EnumerateArray().ToList();
        var progress = sse.Where(h => h.GetProperty("state").GetString() == "distilling" && h.GetProperty("progress").ValueKind == System.Text.Json.JsonValueKind.Number)
            .Select(h => h.GetProperty("progress").GetDouble()).ToList();
        Assert.True(progress.Distinct().Count() >= 2 && progress.Min() < 1, $"the page saw distillation progress {string.Join(", ", progress)}; expected it to move\n{result}");
        Assert.Equal(progress.Order(), progress);
        Assert.Equal("completed", sse[^1].GetProperty("state").GetString());
        Assert.Equal(DashboardFederation.Participants, sse[^1].GetProperty("uploads").GetInt32());
        var dom = result.GetProperty("domUploads").EnumerateArray().ToList();
        Assert.True(dom.Count >= 2 && dom[0].GetProperty("state").GetString() != "completed" && dom[^1].GetProperty("state").GetString() == "completed",
            $"the rounds table showed {string.Join(", ", dom.Select(e => e.GetProperty("state").GetString()))}; expected the row to change in place up to completed");
        Assert.Equal(DashboardFederation.Participants, dom[^1].GetProperty("uploads").GetInt32());
        Assert.True(result.GetProperty("events").GetProperty("round").GetInt32() >= 3, result.GetProperty("events").ToString());
        Assert.Equal("live", result.GetProperty("connection").GetString());
        Assert.True(result.GetProperty("liveChartPoints").GetInt32() >= 3, "the live chart of the round got too few points: " + result);

        // After completion: the accuracy chart has this round's point, the teachers are charted,
        // the table shows the student's accuracy, participants show their teachers and weight.
        Assert.True(result.GetProperty("accuracyPoints").GetInt32() >= 1);
        Assert.True(result.GetProperty("accuracyCanvas").GetBoolean(), "no uPlot canvas in #chart-accuracy (is the chart library served?)");
        Assert.Equal(DashboardFederation.Participants, result.GetProperty("teacherSeries").GetInt32());
        Assert.Equal(DashboardFederation.Participants, result.GetProperty("teacherWeightSeries").GetInt32());
        // The student's curve within the round: one point per epoch (at most RoundResult.MaxStudentEpochs),
        // the last one the round's own accuracy and loss, charted per epoch.
        var epochs = result.GetProperty("epochs").EnumerateArray().ToList();
        Assert.Equal(RoundResult.MaxStudentEpochs, epochs.Count);
        Assert.Equal(1, epochs[0].GetProperty("epoch").GetInt32());
        Assert.Equal(LiveRoundSettings.StudentEpochs, epochs[^1].GetProperty("epoch").GetInt32());
        Assert.Equal(ended.Result!.StudentAccuracy!.Value, epochs[^1].GetProperty("accuracy").GetDouble(), 6);
        Assert.Equal(ended.Result.FinalLoss, epochs[^1].GetProperty("loss").GetDouble(), 6);
        Assert.Equal(ended.Result.StudentEpochs!.Select(e => e.Epoch), epochs.Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.True(result.GetProperty("epochAccuracyPoints").GetInt32() >= RoundResult.MaxStudentEpochs, result.GetProperty("epochAccuracyPoints").ToString());
        Assert.True(result.GetProperty("epochAccuracySeries").GetInt32() >= 1);
        Assert.True(result.GetProperty("epochAccuracyCanvas").GetBoolean(), "no uPlot canvas in #chart-epoch-accuracy");
        Assert.Equal(result.GetProperty("epochAccuracySeries").GetInt32(), result.GetProperty("epochLossSeries").GetInt32());
        Assert.Equal("/orleans/", result.GetProperty("orleansLink").GetString());
        Assert.Equal(ended.Result!.StudentAccuracy!.Value, double.Parse(result.GetProperty("studentAccuracy").GetString()!, System.Globalization.CultureInfo.InvariantCulture), 6);
        var participants = result.GetProperty("participants").EnumerateArray().ToList();
        Assert.Equal(federation.ParticipantIds.Order(), participants.Select(p => p.GetProperty("id").GetString()!).Order());
        Assert.All(participants, p => Assert.Contains("mlp", p.GetProperty("text").GetString(), StringComparison.Ordinal));
        Assert.All(participants, p => Assert.Contains("%", p.GetProperty("text").GetString(), StringComparison.Ordinal));

        // The refusal: a row [when, participant, round, reason, detail] and a count by reason.
        var rejections = result.GetProperty("rejections").EnumerateArray().Select(row => row.EnumerateArray().Select(cell => cell.GetString()!).ToArray()).ToList();
        Assert.Contains(rejections, row => row.Length == 5 && row[1] == "hospital-2" && row[2] == ended.Round.ToString(System.Globalization.CultureInfo.InvariantCulture) && row[3] == "impersonation");
        Assert.True(result.GetProperty("rejectionReasons").GetProperty("impersonation").GetInt32() >= 1, result.GetProperty("rejectionReasons").ToString());
        Assert.Empty(result.GetProperty("pageErrors").EnumerateArray());
        Assert.Empty(result.GetProperty("consoleErrors").EnumerateArray());

        // The picture of the finished round, kept as a test artifact (docs/images/dashboard.png is a copy of one).
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"{screenshot} is too small to be a screenshot");
    }

    /// <summary>
    /// A browser without the identity gets the refusal page, no script, none of the data, and nothing
    /// of the Orleans Dashboard either; only the metrics and health stay open.
    /// </summary>
    [Fact]
    public async Task A_visit_without_an_identity_is_refused_and_shows_no_data()
    {
        var federation = fixture.Federation;
        var result = await BrowserScript.RunAsync(["anonymous", federation.WebUrl.ToString().TrimEnd('/')], onReady: null, ScriptTimeout);

        Assert.Equal(401, result.GetProperty("status").GetInt32());
        Assert.True(result.GetProperty("hasRefusal").GetBoolean(), result.ToString());
        Assert.False(result.GetProperty("hasDashboardScript").GetBoolean());
        var body = result.GetProperty("body").GetString()!;
        Assert.Contains(FederationHttpClientFactory.InsecureIdentityHeader, body, StringComparison.Ordinal);
        Assert.All(federation.ParticipantIds, id => Assert.DoesNotContain(id, body, StringComparison.Ordinal));
        Assert.DoesNotContain(DashboardFederation.Name, body, StringComparison.Ordinal);
        var fetched = result.GetProperty("fetched");
        foreach (var path in new[] { "/dashboard/api/events", "/dashboard/api/federation", "/dashboard/api/participants", "/dashboard/api/rounds", "/dashboard/api/rejections", "/dashboard/dashboard.js",
                     "/orleans/", "/orleans/index.min.js", "/orleans/DashboardCounters", "/orleans/GrainState?grainId=x&grainType=y" })
            Assert.True(fetched.GetProperty(path).GetProperty("status").GetInt32() == 401, $"{path}: {fetched.GetProperty(path)}");
        // Metrics hold no private data and scrapers present no identity: anonymous on purpose.
        Assert.Equal(200, fetched.GetProperty("/metrics").GetProperty("status").GetInt32());
        Assert.Equal(200, fetched.GetProperty("/healthz").GetProperty("status").GetInt32());
    }

    /// <summary>
    /// The Orleans Dashboard beside the federation's page, for the admin: /orleans redirects to
    /// /orleans/, whose overview shows the cluster's silos (the aggregator's and two hospitals') and their grains, with the counters the page reads.
    /// </summary>
    [Fact]
    public async Task The_Orleans_Dashboard_shows_the_admin_the_clusters_silos_and_grains()
    {
        var federation = fixture.Federation;
        await fixture.CompletedRoundAsync(); // grains of every kind have been active
        using (var admin = fixture.CreateClient("admin"))
            (await fixture.OrleansDashboardCountersAsync(admin, DashboardFederation.Participants + 1)).Dispose();
        Directory.CreateDirectory(TestRepository.TestResults);
        var screenshot = Path.Combine(TestRepository.TestResults, "orleans-dashboard.png");

        var result = await BrowserScript.RunAsync(
            ["orleans", federation.WebUrl.ToString().TrimEnd('/'), FederationHttpClientFactory.InsecureIdentityHeader, "admin", screenshot], onReady: null, ScriptTimeout);

        Assert.Equal(200, result.GetProperty("status").GetInt32());
        Assert.EndsWith("/orleans/", result.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal("Orleans Dashboard", result.GetProperty("title").GetString());
        var counters = result.GetProperty("counters");
        Assert.True(counters.GetProperty("status").GetInt32() == 200, counters.ToString());
        var body = counters.GetProperty("body");
        // The cluster: the aggregator's silo and the hospitals', the aggregator grain and their client grains among the grains.
        var silos = body.GetProperty("totalActiveHostCount").GetInt32();
        Assert.True(silos == DashboardFederation.Participants + 1, body.ToString());
        Assert.Equal(["aggregator", .. federation.ParticipantIds], body.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("siloName").GetString()!).Order());
        var grainTypes = body.GetProperty("simpleGrainStats").EnumerateArray().Select(g => g.GetProperty("grainType").GetString()).ToList();
        Assert.Contains("FedDistill.Grains.Aggregator.AggregatorGrain", grainTypes);
        Assert.Contains("FedDistill.Grains.Clients.ClientGrain", grainTypes);
        Assert.True(body.GetProperty("totalActivationCount").GetInt32() >= 1, body.ToString());
        var boxes = result.GetProperty("boxes").EnumerateArray().Select(b => b.GetString()!).ToList();
        Assert.Contains(boxes, box => box.Contains("Active Silos", StringComparison.Ordinal) && box.Contains(silos.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Contains(boxes, box => box.Contains("Total Activations", StringComparison.Ordinal));
        Assert.Empty(result.GetProperty("consoleErrors").EnumerateArray());
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"{screenshot} is too small to be a screenshot");
    }
}
