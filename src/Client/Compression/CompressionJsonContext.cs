using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedDistill.Client.Compression;

/// <summary>Source-generated JSON for <see cref="CompressionReport"/>: camelCase, indented, nulls left out.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CompressionReport))]
public sealed partial class CompressionJsonContext : JsonSerializerContext;
