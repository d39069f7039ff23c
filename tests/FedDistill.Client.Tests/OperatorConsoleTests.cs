using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FedDistill.Client.Operator;
using FedDistill.Client.Tests.Support;

namespace FedDistill.Client.Tests;

/// <summary>
/// The operator's console as a script sees it: the real binary, as a fresh process, an Orleans
/// client of a real aggregator silo through its gateway; both output modes, and the exit codes of
/// docs/console.md.
/// </summary>
public sealed class OperatorConsoleTests(ConsoleFederation fixture) : IClassFixture<ConsoleFederation>
{
    /// <summary>Both modes print what the aggregator grain says of the federation, its public set's fingerprint included.</summary>
    [Fact]
    public async Task Federation_show_prints_the_federation_and_its_json_carries_the_aggregators_fingerprint()
    {
        var expected = await fixture.Federation.Admin.GetFederationAsync();

        var text = await fixture.RunAsync("federation", "show");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.StartsWith($"Federation '{SmallFederation.Name}'", text.Output, StringComparison.Ordinal);
        Assert.Contains(expected.PublicSetFingerprint, text.Output, StringComparison.Ordinal);
        Assert.Contains($"{SmallFederation.PublicExamples} examples, {SmallFederation.Classes} classes", text.Output, StringComparison.Ordinal);
        Assert.Contains("newest student none yet", text.Output, StringComparison.Ordinal);

        var json = await fixture.RunAsync("federation", "show", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Empty(json.Error);
        using var document = JsonDocument.Parse(json.Output);
        var root = document.RootElement;
        Assert.Equal(SmallFederation.Name, root.GetProperty("name").GetString());
        Assert.Equal(expected.PublicSetFingerprint, root.GetProperty("publicSetFingerprint").GetString());
        Assert.Equal(SmallFederation.PublicExamples, root.GetProperty("examples").GetInt32());
        Assert.Equal(SmallFederation.Classes, root.GetProperty("classes").GetInt32());
        using var model = JsonDocument.Parse(root.GetProperty("studentModel").GetString()!);
        Assert.Equal("mlp", model.RootElement.GetProperty("kind").GetString());
    }

    /// <summary>FEDDISTILL_GATEWAY, FEDDISTILL_CLUSTER, FEDDISTILL_FEDERATION and the certificate's FEDDISTILL_CA, FEDDISTILL_CERT and FEDDISTILL_KEY stand in for the options, and an option wins over its variable.</summary>
    [Fact]
    public async Task Connection_settings_come_from_the_environment_when_no_option_gives_them()
    {
        var environment = new Dictionary<string, string>
        {
            [ConnectionOptions.GatewayVariable] = fixture.Federation.Gateway,
            [ConnectionOptions.ClusterVariable] = fixture.Federation.ClusterId,
            [ConnectionOptions.FederationVariable] = fixture.Federation.FederationName,
            [ConnectionOptions.CaVariable] = fixture.Federation.CaCertificatePath,
            [ConnectionOptions.CertificateVariable] = fixture.Federation.AdminCertificatePath,
            [ConnectionOptions.KeyVariable] = fixture.Federation.AdminKeyPath,
        };

        var result = await ConsoleRunner.RunAsync(["federation", "show", "--json"], environment);

        Assert.True(result.ExitCode == 0, result.ToString());
        using (var document = JsonDocument.Parse(result.Output))
            Assert.Equal(SmallFederation.Name, document.RootElement.GetProperty("name").GetString());

        environment[ConnectionOptions.GatewayVariable] = $"127.0.0.1:{ClosedPort()}";
        var overridden = await ConsoleRunner.RunAsync(["federation", "show", "--json", "--gateway", fixture.Federation.Gateway], environment);
        Assert.True(overridden.ExitCode == 0, overridden.ToString());
    }

    [Fact]
    public async Task Participants_add_list_and_remove_round_trip_and_a_duplicate_add_exits_4_with_participant_exists()
    {
        var added = await fixture.RunAsync("participants", "add", "clinic-7", "--name", "Clinic Seven", "--json");
        Assert.True(added.ExitCode == 0, added.ToString());
        using (var document = JsonDocument.Parse(added.Output))
        {
            Assert.Equal("clinic-7", document.RootElement.GetProperty("participantId").GetString());
            Assert.Equal("Clinic Seven", document.RootElement.GetProperty("displayName").GetString());
        }

        try
        {
            var duplicate = await fixture.RunAsync("participants", "add", "clinic-7");
            Assert.True(duplicate.ExitCode == 4, duplicate.ToString());
            Assert.Contains("participant-exists", duplicate.Error, StringComparison.Ordinal);
            Assert.Empty(duplicate.Output);

            var text = await fixture.RunAsync("participants", "list");
            Assert.True(text.ExitCode == 0, text.ToString());
            Assert.StartsWith("ID", text.Output, StringComparison.Ordinal);
            var clinic = Assert.Single(text.Output.Split('\n'), line => line.StartsWith("clinic-7 ", StringComparison.Ordinal));
            Assert.Contains("Clinic Seven", clinic, StringComparison.Ordinal);
            Assert.Contains("never seen", clinic, StringComparison.Ordinal);

            var json = await fixture.RunAsync("participants", "list", "--json");
            Assert.True(json.ExitCode == 0, json.ToString());
            using var list = JsonDocument.Parse(json.Output);
            var ids = list.RootElement.EnumerateArray().Select(p => p.GetProperty("participantId").GetString()).ToList();
            Assert.Equal(["clinic-7", "hospital-1", "hospital-2"], ids.Order());
        }
        finally
        {
            var removed = await fixture.RunAsync("participants", "remove", "clinic-7", "--json");
            Assert.True(removed.ExitCode == 0, removed.ToString());
            using var document = JsonDocument.Parse(removed.Output);
            Assert.True(document.RootElement.GetProperty("removed").GetBoolean());
        }

        Assert.DoesNotContain(await fixture.Federation.Admin.ListParticipantsAsync(), p => p.ParticipantId == "clinic-7");
        var again = await fixture.RunAsync("participants", "remove", "clinic-7");
        Assert.True(again.ExitCode == 4, again.ToString());
        Assert.Contains("unknown-participant", again.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A round opened from the console carries the options given; a second start while it runs is
    /// refused; status, list, cancel and watch see the same round; a cancelled round cannot be
    /// cancelled again. (The hospitals' silos do not run here, so nobody uploads.)
    /// </summary>
    [Fact]
    public async Task Rounds_start_opens_a_round_which_status_shows_and_cancel_ends()
    {
        var started = await fixture.RunAsync("rounds", "start", "--quorum", "2", "--deadline", "300", "--temperature", "3", "--dtype", "float32", "--json");
        Assert.True(started.ExitCode == 0, started.ToString());
        int round;
        using (var document = JsonDocument.Parse(started.Output))
        {
            round = document.RootElement.GetProperty("round").GetInt32();
            Assert.Equal("Open", document.RootElement.GetProperty("state").GetString(), ignoreCase: true);
            var settings = document.RootElement.GetProperty("settings");
            Assert.Equal(2, settings.GetProperty("quorum").GetInt32());
            Assert.Equal(300, settings.GetProperty("deadlineSeconds").GetInt32());
            Assert.Equal(3.0, settings.GetProperty("temperature").GetDouble());
            Assert.Equal("float32", settings.GetProperty("logitsDType").GetString());
            Assert.Equal("per-class-weighted", settings.GetProperty("strategy").GetString());
        }

        var stored = await fixture.Federation.Admin.GetRoundAsync(round);
        Assert.Equal(2, stored.Settings.Quorum);
        Assert.Equal(3.0, stored.Settings.Temperature);
        var number = round.ToString(CultureInfo.InvariantCulture);

        var conflict = await fixture.RunAsync("rounds", "start");
        Assert.True(conflict.ExitCode == 4, conflict.ToString());
        Assert.Contains("round-running", conflict.Error, StringComparison.Ordinal);

        var status = await fixture.RunAsync("rounds", "status", number);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.StartsWith($"Round {round}: open", status.Output, StringComparison.Ordinal);
        Assert.Contains("quorum 2", status.Output, StringComparison.Ordinal);
        Assert.Contains("nobody yet", status.Output, StringComparison.Ordinal);

        var list = await fixture.RunAsync("rounds", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        using (var rounds = JsonDocument.Parse(list.Output))
            Assert.Equal(round, rounds.RootElement.EnumerateArray().Last().GetProperty("round").GetInt32());

        var cancelled = await fixture.RunAsync("rounds", "cancel", number, "--json");
        Assert.True(cancelled.ExitCode == 0, cancelled.ToString());
        using (var document = JsonDocument.Parse(cancelled.Output))
            Assert.Equal("Cancelled", document.RootElement.GetProperty("state").GetString(), ignoreCase: true);
        Assert.Equal(FedDistill.Grains.Protocol.RoundState.Cancelled, (await fixture.Federation.Admin.GetRoundAsync(round)).State);

        var watched = await fixture.RunAsync("rounds", "watch", number);
        Assert.True(watched.ExitCode == 1, watched.ToString());
        Assert.Contains($"round {round} cancelled", watched.Output, StringComparison.Ordinal);

        var twice = await fixture.RunAsync("rounds", "cancel", number);
        Assert.True(twice.ExitCode == 4, twice.ToString());
        Assert.Contains("round-closed", twice.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rounds_status_of_an_unknown_round_exits_4_with_the_aggregators_reason()
    {
        var result = await fixture.RunAsync("rounds", "status", "99");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("unknown-round", result.Error, StringComparison.Ordinal);
        Assert.Contains("rounds list", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    /// <summary>A gateway where nothing listens: exit 3 within the connect timeout, naming the gateway and what to check.</summary>
    [Fact]
    public async Task An_unreachable_gateway_exits_3_within_the_connect_timeout_and_says_what_to_check()
    {
        var gateway = $"127.0.0.1:{ClosedPort()}";

        var result = await ConsoleRunner.RunAsync(["rounds", "list", "--gateway", gateway, "--cluster", fixture.Federation.ClusterId, "--federation", fixture.Federation.FederationName,
            .. fixture.AdminCertificate()]);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains(gateway, result.Error, StringComparison.Ordinal);
        Assert.Contains("--gateway", result.Error, StringComparison.Ordinal);
        Assert.Contains("silo runs", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        // The connect deadline, plus a process start on a loaded machine; never Orleans' endless retry.
        Assert.True(result.Elapsed < ClusterConnection.DefaultConnectTimeout + TimeSpan.FromSeconds(30), result.ToString());
    }

    /// <summary>The right gateway with a wrong federation name: exit 3 naming that federation, not a crash.</summary>
    [Fact]
    public async Task A_federation_the_cluster_does_not_serve_exits_3_and_names_it()
    {
        var result = await ConsoleRunner.RunAsync(["federation", "show", "--gateway", fixture.Federation.Gateway, "--cluster", fixture.Federation.ClusterId, "--federation", "elsewhere",
            .. fixture.AdminCertificate()]);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("no federation 'elsewhere'", result.Error, StringComparison.Ordinal);
        Assert.Contains("--federation", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    /// <summary>A secure round with a strategy that is not a sum is refused by the aggregator (exit 4, its reason) and no round opens.</summary>
    [Fact]
    public async Task Rounds_start_secure_summation_with_a_median_is_refused()
    {
        var before = await fixture.Federation.Admin.ListRoundsAsync();

        var result = await fixture.RunAsync("rounds", "start", "--secure-summation", "--strategy", "median");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("strategy-not-summable", result.Error, StringComparison.Ordinal);
        Assert.Contains("'median'", result.Error, StringComparison.Ordinal);
        Assert.Equal(before.Count, (await fixture.Federation.Admin.ListRoundsAsync()).Count);
    }

    [Theory]
    [InlineData("'warm'", "rounds", "start", "--temperature", "warm")]
    [InlineData("'float64'", "rounds", "start", "--dtype", "float64")]
    [InlineData("--quorum is 0; it must be at least 1.", "rounds", "start", "--quorum", "0")]
    [InlineData("--deadline is 0; it must be in [1, 86400].", "rounds", "start", "--deadline", "0")]
    [InlineData("'zero'", "rounds", "status", "zero")]
    [InlineData("N is '0'; it must be a whole number of at least 1.", "rounds", "watch", "0")]
    [InlineData("Not_An_Id", "participants", "add", "Not_An_Id")]
    [InlineData("--name is blank", "participants", "add", "clinic-9", "--name", " ")]
    public async Task A_bad_option_value_exits_2_naming_it_and_changes_nothing(string reason, params string[] arguments)
    {
        var roundsBefore = await fixture.Federation.Admin.ListRoundsAsync();
        var participantsBefore = await fixture.Federation.Admin.ListParticipantsAsync();

        var result = await fixture.RunAsync(arguments);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.Equal(roundsBefore.Select(r => (r.Round, r.State)), (await fixture.Federation.Admin.ListRoundsAsync()).Select(r => (r.Round, r.State)));
        Assert.Equal(participantsBefore.Select(p => p.ParticipantId), (await fixture.Federation.Admin.ListParticipantsAsync()).Select(p => p.ParticipantId));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    public async Task A_gateway_that_is_not_host_and_port_exits_2_before_connecting(string gateway)
    {
        var result = await ConsoleRunner.RunAsync(["federation", "show", "--gateway", gateway, "--cluster", fixture.Federation.ClusterId]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"--gateway is '{gateway}'", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
