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

        await CompressAsync(round, Path.Combine(export, "report.json"));
    }

    /// <summary>
    /// <c>students compress</c> on the round's published student: structured pruning at 0.5 and
    /// int8 calibration, fine-tuned against the round's own target (no teacher, no private data).
    /// The student it started from is the published one (its test accuracy is the export's, on
    /// the same images and normalization), it got smaller, and every file is written.
    /// </summary>
    private async Task CompressAsync(int round, string exportReport)
    {
        var number = round.ToString(CultureInfo.InvariantCulture);
        var output = Path.Combine(fixture.WorkDirectory, "compressed");
        string[] budget = ["--public-count", "200", "--fine-tune-epochs", "1", "--test-examples", "500", "--threads", "1"];
        var compressed = await fixture.RunAsync(["students", "compress", number, "--out", output, "--prune", "structured", "--sparsity", "0.5", "--int8", "ptq", "--json", .. budget]);
        Assert.True(compressed.ExitCode == 0, compressed.ToString());
        Assert.Contains($"Downloaded round {round}'s distillation target: {SmallFederation.PublicExamples} public examples", compressed.Error, StringComparison.Ordinal);
        foreach (var name in new[] { "student.safetensors", "model.json", "student.onnx", "student.int8.onnx", "report.json" })
            Assert.True(File.Exists(Path.Combine(output, name)), name + " is missing\n" + compressed);

        using var report = JsonDocument.Parse(compressed.Output);
        var root = report.RootElement;
        using var written = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "report.json")));
        Assert.Equal(root.GetProperty("compressed").GetProperty("parameters").GetInt64(), written.RootElement.GetProperty("compressed").GetProperty("parameters").GetInt64());
        using var exported = JsonDocument.Parse(await File.ReadAllTextAsync(exportReport));
        Assert.Equal(exported.RootElement.GetProperty("accuracy").GetDouble(), root.GetProperty("original").GetProperty("accuracy").GetDouble(), 6);
        Assert.Contains($"student v{round}", root.GetProperty("student").GetString(), StringComparison.Ordinal);
        Assert.Contains("distillation target", root.GetProperty("teacher").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, root.GetProperty("publicExamples").GetInt32());
        Assert.Equal(500, root.GetProperty("testExamples").GetInt32());
        // The mlp student's hidden layer of 64 units, halved.
        Assert.Equal([32], root.GetProperty("model").GetProperty("hiddenWidths").EnumerateArray().Select(width => width.GetInt32()));
        var original = root.GetProperty("original").GetProperty("parameters").GetInt64();
        var smaller = root.GetProperty("compressed").GetProperty("parameters").GetInt64();
        Assert.True(smaller < original * 0.6, $"{smaller} parameters after pruning half the units, of {original}");
        // A tiny budget (a few steps on 200 examples after removing half the units): far above chance
        // (0.1) is what it shows; ONNX Runtime scores the fp32 file as TorchSharp scores the model,
        // and the int8 file as the simulation of its rounding.
        var compressedAccuracy = root.GetProperty("compressed").GetProperty("accuracy").GetDouble();
        Assert.InRange(compressedAccuracy, 0.2, 1.0);
        Assert.InRange(root.GetProperty("compressed").GetProperty("onnxAccuracy").GetDouble(), compressedAccuracy - 0.002, compressedAccuracy + 0.002);
        var int8 = root.GetProperty("quantized");
        Assert.InRange(int8.GetProperty("onnxAccuracy").GetDouble(), int8.GetProperty("simulatedAccuracy").GetDouble() - 0.02, int8.GetProperty("simulatedAccuracy").GetDouble() + 0.02);
        Assert.Equal(new FileInfo(Path.Combine(output, "student.int8.onnx")).Length, int8.GetProperty("onnxBytes").GetInt64());

        // Its files exist now: without --force nothing is written and the run is refused as usage.
        var again = await fixture.RunAsync(["students", "compress", number, "--out", output, "--int8", "ptq", .. budget]);
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.Contains("--force", again.Error, StringComparison.Ordinal);
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
