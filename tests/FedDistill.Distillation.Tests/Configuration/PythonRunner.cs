using System.Diagnostics;

namespace FedDistill.Distillation.Tests.Configuration;

/// <summary>Runs a short Python script with PyTorch (Debian's python3-torch, or FEDDISTILL_PYTHON) and returns its standard output.</summary>
internal static class PythonRunner
{
    public static string Executable => Environment.GetEnvironmentVariable("FEDDISTILL_PYTHON") is { Length: > 0 } configured ? configured : "/usr/bin/python3";

    public static async Task<string> RunAsync(string script, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Executable} did not finish within {timeout}.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Executable} exited with {process.ExitCode}: {await error}");
        return await output;
    }
}
