using System.Text.Json;
using System.Text.Json.Serialization;
using FedDistill.Grains.Protocol;

namespace FedDistill.Silo.Dashboard;

/// <summary>The JSON shapes the dashboard's endpoints add to the protocol's (source-generated, camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, WriteIndented = false)]
[JsonSerializable(typeof(RejectionInfo))]
[JsonSerializable(typeof(RejectionSummary))]
[JsonSerializable(typeof(DashboardPulse))]
public sealed partial class DashboardJsonContext : JsonSerializerContext;
