namespace FedDistill.Distillation.Configuration;

/// <summary>The <c>output</c> section: where the run writes the student and its reports.</summary>
public sealed record OutputConfig
{
    /// <summary>
    /// The directory (created when missing; relative to the working directory) that receives
    /// <c>student.safetensors</c> or <c>student.pt</c>, <c>report.json</c> and <c>report.txt</c>.
    /// </summary>
    public string Directory { get; init; } = "artifacts/distill";
}
