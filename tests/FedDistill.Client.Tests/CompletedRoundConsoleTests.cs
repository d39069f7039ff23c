using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using FedDistill.Client.Tests.Support;

namespace FedDistill.Client.Tests;

/// <summary>A round started from the console, completed by the hospitals' silos, followed and harvested from the console: watch, students list, download, export.</summary>
public sealed class CompletedRoundConsoleTests(HospitalFederation fixture) : IClassFixture<HospitalFederation>
{
    /// <summary>
    /// Proves the console follows a real round to its end (watch exits 0 with the completion as its
    /// last, never repeated, line) and that what it downloads and exports is byte for byte the
    /// student the round recorded (SHA-256 against the aggregator's result).
    /// </summary>
    [Fact]
    public async Task A_round_completed_by_the_hospitals_is_watched_to_exit_0_and_its_student_is_listed_downloaded_and_exported()
    {
        var started = await fixture.RunAsync("rounds", "start", "--quorum", "2", "--deadline", "300", "--student-epochs", "1", "--json");
        Assert.True(started.ExitCode == 0, started.ToString());
        int round;
        using (var document = JsonDocument.Parse(started.Output)) round = document.RootElement.GetProperty("round").GetInt32();
        var number = round.ToString(CultureInfo.InvariantCulture);

        var watched = await fixture.RunAsync("rounds", "watch", number);
        Assert.True(watched.ExitCode == 0, watched + "\n" + fixture.Logs());
        var lines = watched.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line[9..]).ToList(); // after the HH:mm:ss stamp
        Assert.Contains($"round {round} completed: student v{round}", lines[^1], StringComparison.Ordinal);
        Assert.StartsWith($"round {round} open", lines[0], StringComparison.Ordinal);
        // As they happened, from the aggregator's notifications: each upload not in the first snapshot, the student's one epoch, the published student.
        foreach (var hospital in new[] { "hospital-1", "hospital-2" }.Where(h => !lines[0].Contains($"{h} uploaded", StringComparison.Ordinal)))
            Assert.Contains(lines, line => line.StartsWith($"round {round}: upload of {hospital} accepted", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith($"round {round}: student epoch 1/1, loss ", StringComparison.Ordinal));
        Assert.Contains($"round {round}: student v{round} published", lines[^2], StringComparison.Ordinal);
        Assert.All(lines.Zip(lines.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));

        var recorded = (await fixture.Federation.Admin.GetRoundAsync(round)).Result!;
        Assert.Equal(["hospital-1", "hospital-2"], (await fixture.Federation.Admin.GetRoundAsync(round)).Uploaded.Order());

        // A round already over: one JSON line, the snapshot, with its final state.
        var watchedJson = await fixture.RunAsync("rounds", "watch", number, "--json");
        Assert.True(watchedJson.ExitCode == 0, watchedJson.ToString());
        using (var document = JsonDocument.Parse(Assert.Single(watchedJson.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))))
        {
            Assert.Equal("snapshot", document.RootElement.GetProperty("kind").GetString());
            var snapshot = document.RootElement.GetProperty("snapshot").GetProperty("round");
            Assert.Equal("Completed", snapshot.GetProperty("state").GetString(), ignoreCase: true);
            Assert.Equal(recorded.StudentSha256, snapshot.GetProperty("result").GetProperty("studentSha256").GetString());
        }

        var list = await fixture.RunAsync("students", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        using (var document = JsonDocument.Parse(list.Output))
        {
            var student = Assert.Single(document.RootElement.EnumerateArray());
            Assert.Equal(round, student.GetProperty("version").GetInt32());
            Assert.Equal(recorded.StudentSha256, student.GetProperty("sha256").GetString());
            Assert.Equal(recorded.StudentAccuracy!.Value, student.GetProperty("accuracy").GetDouble(), 12);
            Assert.Equal(2, student.GetProperty("teachers").GetInt32());
        }

        var text = await fixture.RunAsync("students", "list");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains(recorded.StudentSha256, text.Output, StringComparison.Ordinal);

        var file = Path.Combine(fixture.WorkDirectory, "downloads", "student.safetensors");
        var download = await fixture.RunAsync("students", "download", number, "--out", file);
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal(recorded.StudentSha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))));
        Assert.Contains(SafetensorsShapes(await File.ReadAllBytesAsync(file)), shape => shape.SequenceEqual([SmallFederation.Classes]));

        var again = await fixture.RunAsync("students", "download", number, "--out", file);
        Assert.True(again.ExitCode == 2, again.ToString());
        var missing = await fixture.RunAsync("students", "download", (round + 6).ToString(CultureInfo.InvariantCulture), "--out", file + ".7");
        Assert.True(missing.ExitCode == 4, missing.ToString());
        Assert.Contains("no-student", missing.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(file + ".7"));

        var export = Path.Combine(fixture.WorkDirectory, "export");
        var exported = await fixture.RunAsync("students", "export", number, "--out", export, "--test-examples", "500", "--no-speed", "--threads", "1", "--json");
        Assert.True(exported.ExitCode == 0, exported.ToString());
        Assert.Equal(recorded.StudentSha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(export, "student.safetensors")))));
        using (var model = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(export, "model.json"))))
            Assert.Equal("mlp", model.RootElement.GetProperty("kind").GetString());
        using (var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(export, "report.json"))))
        {
            Assert.Equal(500, report.RootElement.GetProperty("exampleCount").GetInt32());
            // Ten classes: a student that learned nothing scores about 0.1.
            Assert.InRange(report.RootElement.GetProperty("accuracy").GetDouble(), 0.3, 1.0);
        }

        using (var summary = JsonDocument.Parse(exported.Output))
            Assert.Equal(recorded.StudentSha256, summary.RootElement.GetProperty("sha256").GetString());
    }

    // The tensors' shapes from a safetensors header: an 8-byte little-endian length, then JSON.
    private static List<long[]> SafetensorsShapes(byte[] file)
    {
        var length = (int)BitConverter.ToUInt64(file, 0);
        using var header = JsonDocument.Parse(file.AsMemory(8, length));
        return header.RootElement.EnumerateObject().Where(entry => entry.Name != "__metadata__")
            .Select(entry => entry.Value.GetProperty("shape").EnumerateArray().Select(dimension => dimension.GetInt64()).ToArray()).ToList();
    }
}
