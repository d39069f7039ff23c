using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FedDistill.Client.Commands;
using FedDistill.Distillation.Configuration;
using FedDistill.Distillation.Data;

namespace FedDistill.Bench;

/// <summary>
/// FedDistill's defaults against the plain PyTorch recipe, as a new user meets them (docs/results.md):
/// a TorchScript teacher trained by PyTorch and an untrained TorchScript student, distilled by
/// <c>feddistill distill</c> with only the epochs set, and by bench/reference/defaults_reference.py
/// (Adam 1e-3 at a constant rate, batch 128, KD at T = 4 scaled by T²) on the same public split
/// from the same initial student.
/// </summary>
public static class DefaultsRun
{
    private sealed record Settings(int Epochs = 6, int TeacherEpochs = 2, int Seed = 1, string Work = "artifacts/bench-defaults",
        bool ReuseModels = false, string? Config = null);

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static int Run(string[] args, string root)
    {
        var settings = Parse(args);
        var work = Path.GetFullPath(Path.Combine(root, settings.Work));
        Directory.CreateDirectory(work);

        // The public split `feddistill distill` makes with the default data settings, for the reference to use too.
        var data = new DataConfig();
        var trainCount = FashionMnist.LoadTrain(data.Directory).Count;
        var split = DatasetSplitter.SplitIndices(trainCount, data.PublicCount, trainCount - data.PublicCount, 0, data.Seed);
        var indicesPath = Path.Combine(work, "public-indices.txt");
        File.WriteAllLines(indicesPath, split.Public.Select(index => index.ToString(Invariant)));

        var teacherPath = Path.Combine(work, "teacher.pt");
        var studentPath = Path.Combine(work, "student.pt");
        if (!(settings.ReuseModels && File.Exists(teacherPath) && File.Exists(studentPath)))
            Console.WriteLine(Reference(root, "models", indicesPath, work, settings.Seed, "--teacher-epochs", settings.TeacherEpochs.ToString(Invariant)));
        var reference = Reference(root, "distill", indicesPath, work, settings.Seed, "--epochs", settings.Epochs.ToString(Invariant));
        Console.WriteLine(reference);
        var pytorch = double.Parse(Field(reference, "student_accuracy"), Invariant);

        var configPath = settings.Config ?? Path.Combine(work, "distill.json");
        if (settings.Config is null) File.WriteAllText(configPath, NewUserConfig(teacherPath, studentPath, settings.Epochs, Path.Combine(work, "out")));
        Console.WriteLine($"defaults: feddistill distill --config {configPath}");
        Console.WriteLine(File.ReadAllText(configPath).TrimEnd());
        var report = new StringWriter();
        var watch = Stopwatch.StartNew();
        var exit = DistillCommand.Run(configPath, json: true, threads: Environment.ProcessorCount, report, Console.Error, CancellationToken.None);
        if (exit != DistillCommand.Succeeded) return exit;
        using var document = JsonDocument.Parse(report.ToString());
        var feddistill = document.RootElement.GetProperty("accuracy").GetDouble();
        Console.WriteLine(string.Create(Invariant,
            $"defaults: epochs={settings.Epochs} feddistill={feddistill:F4} pytorch={pytorch:F4} difference={100 * (feddistill - pytorch):+0.00;-0.00} points ({watch.Elapsed.TotalSeconds:F0} s)"));
        return 0;
    }

    /// <summary>What a new user writes: the two TorchScript files, the epochs and where to write; every other setting left to its default.</summary>
    private static string NewUserConfig(string teacher, string student, int epochs, string output) => new JsonObject
    {
        ["teachers"] = new JsonArray(new JsonObject { ["id"] = "pytorch", ["torchScript"] = teacher }),
        ["student"] = new JsonObject { ["torchScript"] = student },
        ["trainer"] = new JsonObject { ["epochs"] = epochs },
        ["output"] = new JsonObject { ["directory"] = output },
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Runs one step of bench/reference/defaults_reference.py and returns its <c>reference:</c> line.</summary>
    private static string Reference(string root, string step, string indices, string work, int seed, params string[] extra)
    {
        var python = Environment.GetEnvironmentVariable("FEDDISTILL_PYTHON") ?? "/usr/bin/python3";
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true };
        foreach (var argument in new[] { Path.Combine(root, "bench", "reference", "defaults_reference.py"), step,
                     "--public-indices", indices, "--out", work, "--seed", seed.ToString(Invariant) }.Concat(extra))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"bench/reference/defaults_reference.py {step} failed (exit {process.ExitCode}); its error is above.");
        return output.Split('\n').Last(line => line.StartsWith("reference:", StringComparison.Ordinal));
    }

    private static string Field(string line, string key) =>
        line.Split(' ').Single(part => part.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];

    private static Settings Parse(string[] args)
    {
        var settings = new Settings();
        var reader = new ArgumentReader("defaults", args);
        while (reader.TryNext(out var option))
        {
            settings = option switch
            {
                "--epochs" => settings with { Epochs = reader.Int(option, minimum: 1) },
                "--teacher-epochs" => settings with { TeacherEpochs = reader.Int(option, minimum: 1) },
                "--seed" => settings with { Seed = reader.Int(option, minimum: 0) },
                "--work" => settings with { Work = reader.Value(option) },
                "--reuse-models" => settings with { ReuseModels = true },
                "--config" => settings with { Config = reader.Value(option) },
                _ => throw reader.Unknown(option),
            };
        }
        return settings;
    }
}
