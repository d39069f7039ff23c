namespace FedDistill.Bench;

/// <summary>A target of the issue a run checks, what the run measured and whether that meets it.</summary>
/// <param name="Target">The target in words, e.g. "int8 PTQ file at least 3.5× smaller".</param>
/// <param name="Measured">The measured figure in words, e.g. "3.87×".</param>
/// <param name="Met">Whether the measured figure meets the target.</param>
public sealed record BenchTarget(string Target, string Measured, bool Met)
{
    /// <summary>The run's log line: <c>target: TARGET: MEASURED (met|NOT met)</c>.</summary>
    public override string ToString() => $"target: {Target}: {Measured} ({(Met ? "met" : "NOT met")})";
}
