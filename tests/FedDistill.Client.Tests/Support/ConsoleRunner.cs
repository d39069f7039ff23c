using System.Diagnostics;
using System.Reflection;
using FedDistill.Client.Federation;
using FedDistill.Client.Operator;

namespace FedDistill.Client.Tests.Support;

/// <summary>Runs the real <c>feddistill</c> binary as a child process (<c>dotnet feddistill.dll ...</c>), output redirected.</summary>
public static class ConsoleRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly string[] ConnectionVariables = [ConnectionOptions.GatewayVariable, ConnectionOptions.ClusterVariable, ConnectionOptions.FederationVariable,
        ConnectionOptions.CaVariable, ConnectionOptions.CertificateVariable, ConnectionOptions.KeyVariable];

    /// <summary>The console assembly: the one src/Client built, else the copy next to the referenced Client assembly.</summary>
    public static string Assembly { get; } = FindAssembly();

    /// <summary>Runs the console with <paramref name="arguments"/> and the given environment (connection variables are cleared unless given).</summary>
    public static async Task<ConsoleResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Assembly);
        var list = arguments.ToList();
        foreach (var argument in list) info.ArgumentList.Add(argument);
        foreach (var variable in ConnectionVariables) info.Environment.Remove(variable);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        info.Environment["DOTNET_NOLOGO"] = "1";

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start dotnet.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"feddistill {string.Join(' ', list)} ran past {Timeout.TotalSeconds:F0} s.\n{await output}\n{await error}");
        }

        return new ConsoleResult(string.Join(' ', list), process.ExitCode, await output, await error, clock.Elapsed);
    }

    private static string FindAssembly()
    {
        var built = typeof(ConsoleRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "FedDistillConsoleAssembly")?.Value;
        if (built is not null && File.Exists(built)) return built;
        var beside = Path.Combine(Path.GetDirectoryName(typeof(LocalFederation).Assembly.Location)!, "feddistill.dll");
        return File.Exists(beside) ? beside : throw new FileNotFoundException($"feddistill.dll was found neither at {built} nor at {beside}; build src/Client.");
    }
}
