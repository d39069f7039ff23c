using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace FedDistill.Bench;

/// <summary>Runs bench/reference/pytorch_reference.py (Debian's python3-torch, same libtorch) and reads its JSON.</summary>
public static class PyTorchReference
{
    public static IReadOnlyDictionary<string, double> Run(string repositoryRoot, int threads, double seconds)
    {
        var python = Environment.GetEnvironmentVariable("FEDDISTILL_PYTHON") ?? "/usr/bin/python3";
        var script = Path.Combine(repositoryRoot, "bench", "reference", "pytorch_reference.py");
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { script, "--threads", threads.ToString(CultureInfo.InvariantCulture),
                     "--seconds", seconds.ToString(CultureInfo.InvariantCulture), "--json" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"The PyTorch reference failed (exit {process.ExitCode}): {stderr.Result}");
        using var document = JsonDocument.Parse(stdout);
        var cases = document.RootElement.GetProperty("cases");
        return cases.EnumerateObject().ToDictionary(property => property.Name, property => property.Value.GetDouble());
    }
}
