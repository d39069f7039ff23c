using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FedDistill.Client.Federation;
using FedDistill.Grains.Protocol;

namespace FedDistill.Dashboard.Tests.Support;

/// <summary>The real <c>feddistill</c> console, run as an operator would: a child process, an Orleans client of the aggregator silo's gateway.</summary>
public static class OperatorConsole
{
    /// <summary>Runs <c>feddistill rounds start ... --json</c> and returns the new round's number.</summary>
    public static async Task<int> StartRoundAsync(LocalFederation federation, RoundSettings settings)
    {
        var console = Path.Combine(Path.GetDirectoryName(typeof(LocalFederation).Assembly.Location)!, "feddistill.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] arguments =
        [
            console, "rounds", "start",
            "--gateway", federation.Gateway,
            "--cluster", federation.ClusterId,
            "--federation", federation.FederationName,
            "--ca", federation.CaCertificatePath,
            "--cert", federation.AdminCertificatePath,
            "--key", federation.AdminKeyPath,
            "--quorum", settings.Quorum.ToString(CultureInfo.InvariantCulture),
            "--deadline", settings.DeadlineSeconds.ToString(CultureInfo.InvariantCulture),
            "--student-epochs", settings.StudentEpochs.ToString(CultureInfo.InvariantCulture),
            "--json",
        ];
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start dotnet.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"feddistill rounds start exited {process.ExitCode}: {await output}\n{await error}");
        using var round = JsonDocument.Parse(await output);
        return round.RootElement.GetProperty("round").GetInt32();
    }
}
