using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace FedDistill.Dashboard.Tests.Support;

/// <summary>
/// Runs <c>browser/dashboard-check.js</c> (playwright-core driving Debian's headless Chromium) with
/// Node. The script prints <c>READY {...}</c> when the page is live (the test then acts on the
/// federation) and ends with <c>RESULT {...}</c>, the JSON the test checks.
/// </summary>
public static class BrowserScript
{
    public const string ScriptName = "dashboard-check.js";

    // What the test does once the page is live; if it fails, the script would wait in vain.
    private static async Task ActAsync(Func<JsonElement, Task> action, JsonElement ready, Process script)
    {
        try
        {
            await action(ready);
        }
        catch
        {
            script.Kill(entireProcessTree: true);
            throw;
        }
    }

    public static async Task<JsonElement> RunAsync(IReadOnlyList<string> arguments, Func<JsonElement, Task>? onReady, TimeSpan timeout)
    {
        var directory = TestRepository.BrowserDirectory;
        var playwright = Path.Combine(directory, "node_modules", "playwright-core", "package.json");
        Assert.True(File.Exists(playwright), $"{playwright} is missing: run ./run test (it runs npm ci in {directory}), or npm ci there by hand.");
        var chromium = Environment.GetEnvironmentVariable("FEDDISTILL_CHROMIUM") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"{chromium} is missing: install Debian's chromium package (./run test does).");

        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        info.ArgumentList.Add(Path.Combine(directory, ScriptName));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["FEDDISTILL_CHROMIUM"] = chromium;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start node");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) lock (stderr) stderr.AppendLine(line.Data); };
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(timeout);
        JsonElement? result = null;
        var transcript = new StringBuilder();
        Task? readyAction = null;
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                transcript.AppendLine(line);
                if (line.StartsWith("READY ", StringComparison.Ordinal) && onReady is not null)
                    readyAction = ActAsync(onReady, JsonDocument.Parse(line["READY ".Length..]).RootElement.Clone(), process);
                else if (line.StartsWith("RESULT ", StringComparison.Ordinal))
                    result = JsonDocument.Parse(line["RESULT ".Length..]).RootElement.Clone();
            }

            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{ScriptName} ran past {timeout}.\nstdout:\n{transcript}\nstderr:\n{stderr}");
        }

        if (readyAction is not null) await readyAction; // a failure of the test's action explains why the script stopped

        Assert.True(result is not null, $"{ScriptName} printed no RESULT (exit code {process.ExitCode}).\nstdout:\n{transcript}\nstderr:\n{stderr}");
        Assert.True(process.ExitCode == 0 && result!.Value.GetProperty("ok").GetBoolean(),
            $"{ScriptName} failed (exit code {process.ExitCode}): {result}\nstderr:\n{stderr}");
        return result!.Value;
    }
}
