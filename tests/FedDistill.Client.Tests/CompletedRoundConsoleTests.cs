using System.Security.Cryptography;
using System.Text.Json;
using FedDistill.Client.Tests.Support;
using FedDistill.Grains.Protocol.Safetensors;
using FedDistill.Transport;

namespace FedDistill.Client.Tests;

/// <summary>A round completed by uploads, followed and harvested from the console: watch, students list, download, export.</summary>
public sealed class CompletedRoundConsoleTests(ConsoleFederation fixture) : IClassFixture<ConsoleFederation>
{
    [Fact]
    public async Task A_round_completed_by_uploads_is_watched_to_exit_0_and_its_student_is_listed_downloaded_and_exported()
    {
        var federation = fixture.Federation;
        var fingerprint = (await federation.Admin.GetFederationAsync(CancellationToken.None)).PublicSetFingerprint;
        var started = await fixture.RunAsync("rounds", "start", "--quorum", "2", "--deadline", "300", "--student-epochs", "1", "--json");
        Assert.True(started.ExitCode == 0, started.ToString());
        int round;
        using (var document = JsonDocument.Parse(started.Output)) round = document.RootElement.GetProperty("round").GetInt32();

        var watching = fixture.RunAsync("rounds", "watch", round.ToString(System.Globalization.CultureInfo.InvariantCulture), "--interval", "200");
        for (var i = 0; i < SmallFederation.Participants; i++)
        {
            using var http = federation.CreateParticipantClient(i);
            var participant = new HttpAggregatorClient(http);
            var id = FedDistill.Client.Federation.LocalFederation.ParticipantId(i);
            await participant.SubmitAsync(id, round, SmallFederation.Upload(round, id, fingerprint, seed: i + 1), CancellationToken.None);
        }

        var watched = await watching;
        Assert.True(watched.ExitCode == 0, watched + "\n" + fixture.Logs());
        var lines = watched.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"round {round} completed: student v{round}", lines[^1], StringComparison.Ordinal);
        Assert.Equal(lines.Length, lines.Distinct().Count());

        var watchedJson = await fixture.RunAsync("rounds", "watch", round.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.True(watchedJson.ExitCode == 0, watchedJson.ToString());
        string sha;
        using (var document = JsonDocument.Parse(watchedJson.Output))
        {
            Assert.Equal("Completed", document.RootElement.GetProperty("state").GetString(), ignoreCase: true);
            sha = document.RootElement.GetProperty("result").GetProperty("studentSha256").GetString()!;
        }

        var list = await fixture.RunAsync("students", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        using (var document = JsonDocument.Parse(list.Output))
        {
            var student = Assert.Single(document.RootElement.EnumerateArray());
            Assert.Equal(round, student.GetProperty("version").GetInt32());
            Assert.Equal(sha, student.GetProperty("sha256").GetString());
            Assert.InRange(student.GetProperty("accuracy").GetDouble(), 0.0, 1.0);
        }

        var text = await fixture.RunAsync("students", "list");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains(sha, text.Output, StringComparison.Ordinal);

        var file = Path.Combine(fixture.WorkDirectory, "downloads", "student.safetensors");
        var download = await fixture.RunAsync("students", "download", "1", "--out", file);
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))));
        var state = SafetensorsReader.ReadFile(file);
        Assert.Contains(state.Entries, entry => entry.Shape.SequenceEqual(new long[] { SmallFederation.Classes }));

        var again = await fixture.RunAsync("students", "download", "1", "--out", file);
        Assert.True(again.ExitCode == 2, again.ToString());
        var missing = await fixture.RunAsync("students", "download", "7", "--out", file + ".7");
        Assert.True(missing.ExitCode == 4, missing.ToString());

        var export = Path.Combine(fixture.WorkDirectory, "export");
        var exported = await fixture.RunAsync("students", "export", "1", "--out", export, "--test-examples", "500", "--no-speed", "--threads", "1", "--json");
        Assert.True(exported.ExitCode == 0, exported.ToString());
        Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(export, "student.safetensors")))));
        using (var model = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(export, "model.json"))))
            Assert.Equal("mlp", model.RootElement.GetProperty("kind").GetString());
        using (var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(export, "report.json"))))
        {
            Assert.Equal(500, report.RootElement.GetProperty("exampleCount").GetInt32());
            Assert.InRange(report.RootElement.GetProperty("accuracy").GetDouble(), 0.0, 1.0);
        }

        using (var summary = JsonDocument.Parse(exported.Output))
            Assert.Equal(sha, summary.RootElement.GetProperty("sha256").GetString());
    }
}
