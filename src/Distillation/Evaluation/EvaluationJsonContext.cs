using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedDistill.Distillation.Evaluation;

/// <summary>Source-generated (reflection-free, AOT-friendly) JSON metadata for evaluation reports.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    // Named literals keep a NaN or infinity (a zero-time measurement) from failing a whole report.
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(EvaluationReport))]
internal sealed partial class EvaluationJsonContext : JsonSerializerContext;
