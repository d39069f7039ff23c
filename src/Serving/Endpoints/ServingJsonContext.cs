using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedDistill.Serving.Endpoints;

/// <summary>Serialization metadata of the server's JSON answers (camelCase, as the web defaults).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PredictionResponse))]
[JsonSerializable(typeof(ModelDescription))]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class ServingJsonContext : JsonSerializerContext;
