namespace FedDistill.Client.Tests.Support;

/// <summary>What one run of the console did.</summary>
public sealed record ConsoleResult(string Arguments, int ExitCode, string Output, string Error, TimeSpan Elapsed)
{
    /// <summary>Everything, for an assertion's message.</summary>
    public override string ToString() => $"feddistill {Arguments} exited {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}
