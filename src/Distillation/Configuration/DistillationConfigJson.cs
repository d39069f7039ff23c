using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FedDistill.Distillation.Models;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// The JSON settings of distillation configurations: camelCase keys matched exactly, comments and
/// trailing commas allowed, unknown keys and nulls where the type forbids them rejected.
/// </summary>
/// <remarks>
/// Reflection-based metadata on purpose: the source generator loses the initializers of init-only
/// properties that the JSON leaves out (dotnet/runtime#84484), and every default of the
/// configuration records (<see cref="ModelSpec.Classes"/> = 10, <see cref="Ensembles.EnsembleOptions.VoteSmoothing"/>, …)
/// is such an initializer.
/// </remarks>
internal static class DistillationConfigJson
{
    /// <summary>The shared, read-only options.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Metadata of the configuration's root type.</summary>
    public static JsonTypeInfo<DistillationConfig> Config => (JsonTypeInfo<DistillationConfig>)Options.GetTypeInfo(typeof(DistillationConfig));

    /// <summary>Metadata of <see cref="ModelSpec"/>, written into the student's safetensors metadata.</summary>
    public static JsonTypeInfo<ModelSpec> ModelSpec => (JsonTypeInfo<ModelSpec>)Options.GetTypeInfo(typeof(ModelSpec));

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            WriteIndented = false,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.MakeReadOnly();
        return options;
    }
}
