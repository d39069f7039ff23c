namespace FedDistill.Client.Operator;

/// <summary>What <c>feddistill students export</c> wrote.</summary>
/// <param name="Version">The student's version.</param>
/// <param name="Directory">The absolute path of the export directory.</param>
/// <param name="Student">Path of <c>student.safetensors</c>, the state dict.</param>
/// <param name="Model">Path of <c>model.json</c>, the architecture (a <c>ModelSpec</c>) it loads into.</param>
/// <param name="Report">Path of <c>report.json</c>, its evaluation on the local test set.</param>
/// <param name="Sha256">SHA-256 of <c>student.safetensors</c>.</param>
/// <param name="Accuracy">Its accuracy in the report.</param>
public sealed record StudentExport(int Version, string Directory, string Student, string Model, string Report, string Sha256, double Accuracy);
