using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FedDistill.Client.Tests.Support;

namespace FedDistill.Client.Tests;

/// <summary>
/// The operator's console as a script sees it: the real binary against a real aggregator silo
/// over mutual TLS, both output modes, and the exit codes of docs/console.md.
/// </summary>
public sealed class OperatorConsoleTests(ConsoleFederation fixture) : IClassFixture<ConsoleFederation>
{
    [Fact]
    public async Task Federation_show_prints_the_federation_and_its_json_carries_the_aggregators_fingerprint()
    {
        var expected = await fixture.Federation.Admin.GetFederationAsync(CancellationToken.None);

        var text = await fixture.RunAsync("federation", "show");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains($"Federation '{SmallFederation.Name}'", text.Output, StringComparison.Ordinal);
        Assert.Contains(expected.PublicSetFingerprint, text.Output, StringComparison.Ordinal);
        Assert.Contains("student model  mlp", text.Output, StringComparison.Ordinal);

        var json = await fixture.RunAsync("federation", "show", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(expected.PublicSetFingerprint, document.RootElement.GetProperty("publicSetFingerprint").GetString());
        Assert.Equal(SmallFederation.PublicExamples, document.RootElement.GetProperty("examples").GetInt32());
        Assert.Equal("mlp", document.RootElement.GetProperty("studentModel").GetProperty("kind").GetString());
        Assert.Empty(json.Error);
    }

    [Fact]
    public async Task Connection_settings_come_from_the_environment_when_no_option_gives_them()
    {
        var connection = fixture.Connection();
        var environment = new Dictionary<string, string>
        {
            ["FEDDISTILL_AGGREGATOR"] = connection[1],
            ["FEDDISTILL_CA"] = connection[3],
            ["FEDDISTILL_CERT"] = connection[5],
            ["FEDDISTILL_KEY"] = connection[7],
        };

        var result = await ConsoleRunner.RunAsync(["federation", "show", "--json"], environment);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        Assert.Equal(SmallFederation.Name, document.RootElement.GetProperty("name").GetString());
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
            Assert.Contains("Clinic Seven", text.Output, StringComparison.Ordinal);
            Assert.Contains("never seen", text.Output, StringComparison.Ordinal);
            Assert.StartsWith("ID", text.Output, StringComparison.Ordinal);

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

        Assert.DoesNotContain(await fixture.Federation.Admin.ListParticipantsAsync(CancellationToken.None), p => p.ParticipantId == "clinic-7");
        var again = await fixture.RunAsync("participants", "remove", "clinic-7");
        Assert.True(again.ExitCode == 4, again.ToString());
    }

    [Fact]
    public async Task Rounds_start_opens_round_1_which_status_shows_and_cancel_ends()
    {
        var started = await fixture.RunAsync("rounds", "start", "--quorum", "2", "--deadline", "300", "--temperature", "3", "--dtype", "float32", "--json");
        Assert.True(started.ExitCode == 0, started.ToString());
        using (var document = JsonDocument.Parse(started.Output))
        {
            Assert.Equal(1, document.RootElement.GetProperty("round").GetInt32());
            Assert.Equal("Open", document.RootElement.GetProperty("state").GetString(), ignoreCase: true);
            var settings = document.RootElement.GetProperty("settings");
            Assert.Equal(2, settings.GetProperty("quorum").GetInt32());
            Assert.Equal(3.0, settings.GetProperty("temperature").GetDouble());
            Assert.Equal("float32", settings.GetProperty("logitsDType").GetString());
            Assert.Equal("per-class-weighted", settings.GetProperty("strategy").GetString());
        }

        var conflict = await fixture.RunAsync("rounds", "start");
        Assert.True(conflict.ExitCode == 4, conflict.ToString());

        var status = await fixture.RunAsync("rounds", "status", "1");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.StartsWith("Round 1: open", status.Output, StringComparison.Ordinal);
        Assert.Contains("quorum 2", status.Output, StringComparison.Ordinal);
        Assert.Contains("nobody yet", status.Output, StringComparison.Ordinal);

        var list = await fixture.RunAsync("rounds", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        using (var rounds = JsonDocument.Parse(list.Output))
            Assert.Equal(1, Assert.Single(rounds.RootElement.EnumerateArray()).GetProperty("round").GetInt32());

        var cancelled = await fixture.RunAsync("rounds", "cancel", "1", "--json");
        Assert.True(cancelled.ExitCode == 0, cancelled.ToString());
        using (var document = JsonDocument.Parse(cancelled.Output))
            Assert.Equal("Cancelled", document.RootElement.GetProperty("state").GetString(), ignoreCase: true);

        var watched = await fixture.RunAsync("rounds", "watch", "1");
        Assert.True(watched.ExitCode == 1, watched.ToString());
        Assert.Contains("round 1 cancelled", watched.Output, StringComparison.Ordinal);

        var twice = await fixture.RunAsync("rounds", "cancel", "1");
        Assert.True(twice.ExitCode == 4, twice.ToString());
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

    [Fact]
    public async Task A_participants_certificate_is_refused_for_admin_operations_with_exit_4()
    {
        var result = await ConsoleRunner.RunAsync(["participants", "list", .. fixture.Connection("hospital-1")]);

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("admin", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_aggregator_exits_3_and_says_to_check_the_url_and_the_silo()
    {
        var connection = fixture.Connection();
        connection[1] = $"https://127.0.0.1:{ClosedPort()}";

        var result = await ConsoleRunner.RunAsync(["rounds", "list", .. connection]);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("--aggregator", result.Error, StringComparison.Ordinal);
        Assert.Contains("silo runs", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_certificate_file_exits_5_and_says_how_to_issue_the_admin_certificate()
    {
        var connection = fixture.Connection();
        connection[5] = Path.Combine(fixture.WorkDirectory, "nowhere", "admin.crt");

        var result = await ConsoleRunner.RunAsync(["federation", "show", .. connection]);

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Contains("--cert", result.Error, StringComparison.Ordinal);
        Assert.Contains("feddistill admin issue admin", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_of_another_federation_exits_5()
    {
        var other = Path.Combine(fixture.WorkDirectory, "other-ca");
        using (var authority = FedDistill.Security.CertificateAuthority.Create(Path.Combine(other, "ca"), "elsewhere", TimeSpan.FromDays(1)))
            authority.IssueAdmin("admin", Path.Combine(other, "admin"));
        var connection = fixture.Connection();
        connection[5] = Path.Combine(other, "admin", "admin.crt");
        connection[7] = Path.Combine(other, "admin", "admin.key");

        var result = await ConsoleRunner.RunAsync(["federation", "show", .. connection]);

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Contains("feddistill admin issue admin", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rounds", "start", "--temperature", "warm")]
    [InlineData("rounds", "start", "--dtype", "float64")]
    [InlineData("rounds", "start", "--quorum", "0")]
    [InlineData("rounds", "status", "zero")]
    [InlineData("participants", "add", "Not_An_Id")]
    public async Task A_bad_option_value_exits_2_and_changes_nothing(params string[] arguments)
    {
        var roundsBefore = (await fixture.Federation.Admin.ListRoundsAsync(CancellationToken.None)).Count;
        var participantsBefore = (await fixture.Federation.Admin.ListParticipantsAsync(CancellationToken.None)).Count;

        var result = await fixture.RunAsync(arguments);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.Equal(roundsBefore, (await fixture.Federation.Admin.ListRoundsAsync(CancellationToken.None)).Count);
        Assert.Equal(participantsBefore, (await fixture.Federation.Admin.ListParticipantsAsync(CancellationToken.None)).Count);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
