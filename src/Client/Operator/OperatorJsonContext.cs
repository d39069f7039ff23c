using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedDistill.Client.Operator;

/// <summary>
/// Source-generated JSON for the console's own output shapes (camelCase like the protocol);
/// protocol types are written with <c>ProtocolJsonContext</c>.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = false)]
[JsonSerializable(typeof(List<StudentSummary>))]
[JsonSerializable(typeof(StudentDownload))]
[JsonSerializable(typeof(StudentExport))]
[JsonSerializable(typeof(ParticipantRemoval))]
[JsonSerializable(typeof(RoundUpdate))]
public sealed partial class OperatorJsonContext : JsonSerializerContext;
