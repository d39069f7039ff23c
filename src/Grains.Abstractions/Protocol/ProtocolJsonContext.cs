using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedDistill.Grains.Protocol;

/// <summary>
/// The JSON shapes of the protocol, source-generated: the wire, the stored settings and results,
/// and safetensors metadata are all written and read through this one context, so nothing on the
/// wire can make a reader construct a type outside this list.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, WriteIndented = false)]
[JsonSerializable(typeof(FederationInfo))]
[JsonSerializable(typeof(ParticipantInfo))]
[JsonSerializable(typeof(List<ParticipantInfo>))]
[JsonSerializable(typeof(ParticipantReport))]
[JsonSerializable(typeof(List<TeacherReport>))]
[JsonSerializable(typeof(RegisterParticipantRequest))]
[JsonSerializable(typeof(RoundSettings))]
[JsonSerializable(typeof(RoundInfo))]
[JsonSerializable(typeof(List<RoundInfo>))]
[JsonSerializable(typeof(RoundResult))]
[JsonSerializable(typeof(RoundAssignment))]
[JsonSerializable(typeof(List<RejectionInfo>))]
[JsonSerializable(typeof(UploadReceipt))]
[JsonSerializable(typeof(PublicSetSpec))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
