using System.Text.Json;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// Reads a <see cref="DistillationConfig"/> from JSON and checks it, so that a bad setting fails
/// before any data is loaded, with every problem named by its key path and what is allowed.
/// </summary>
/// <remarks>
/// Three passes: the text must be JSON (comments and trailing commas allowed; otherwise the
/// message gives the line and byte); its structure must fit the configuration types (no unknown,
/// duplicate or missing keys, no values of the wrong kind, found by walking the serializer's
/// <see cref="System.Text.Json.Serialization.Metadata.JsonTypeInfo"/>); and the bound settings
/// must pass <see cref="DistillationConfigValidator"/>. When the JSON leaves out
/// <c>ensemble.temperature</c>, it is set to <c>loss.temperature</c>.
/// </remarks>
public static class DistillationConfigLoader
{
    /// <summary>Reads and checks the configuration file at <paramref name="path"/>.</summary>
    /// <exception cref="DistillationConfigException">The file is missing or unreadable, or the configuration is invalid; each message starts with <paramref name="path"/>.</exception>
    public static DistillationConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new DistillationConfigException($"{path}: no such configuration file.");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new DistillationConfigException($"{path}: cannot read it: {exception.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Parses and checks a configuration given as JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">How messages name the text, e.g. its file name.</param>
    /// <exception cref="DistillationConfigException">The configuration is invalid; every message starts with <paramref name="source"/>.</exception>
    public static DistillationConfig Parse(string json, string source = "config")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException exception)
        {
            throw new DistillationConfigException(
                $"{source}: invalid JSON at line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1}: {WithoutPosition(exception.Message)}");
        }

        using (document)
        {
            var root = document.RootElement;
            var typeInfo = DistillationConfigJson.Config;
            var structural = new List<string>();
            ConfigStructureChecker.Check(root, typeInfo, "$", structural);
            if (structural.Count > 0) throw new DistillationConfigException(structural.Select(error => $"{source}: {error}").ToArray());

            DistillationConfig config;
            try
            {
                config = root.Deserialize(typeInfo) ?? throw new JsonException("The configuration is null.");
            }
            catch (JsonException exception)
            {
                throw new DistillationConfigException($"{source}: {exception.Path ?? "$"}: {WithoutPosition(exception.Message)}");
            }

            if (!HasKey(root, "ensemble", "temperature"))
                config = config with { Ensemble = config.Ensemble with { Temperature = config.Loss.Temperature } };

            var errors = DistillationConfigValidator.Validate(config);
            if (errors.Count > 0) throw new DistillationConfigException(errors.Select(error => $"{source}: {error}").ToArray());
            return config;
        }
    }

    private static bool HasKey(JsonElement root, string section, string key) =>
        root.TryGetProperty(section, out var value) && value.ValueKind == JsonValueKind.Object && value.TryGetProperty(key, out _);

    /// <summary>The reader's message without its trailing " LineNumber: … | BytePositionInLine: …", which is 0-based and repeated in ours.</summary>
    private static string WithoutPosition(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }
}
