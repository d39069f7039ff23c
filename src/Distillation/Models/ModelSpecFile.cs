using System.Text.Json;
using FedDistill.Distillation.Configuration;

namespace FedDistill.Distillation.Models;

/// <summary>
/// Reads and writes the <c>model.json</c> that <c>feddistill distill</c>, <c>feddistill students export</c>
/// and <c>feddistill compress</c> write beside a student's state dict: its <see cref="ModelSpec"/> as
/// JSON, the architecture the weights load into.
/// </summary>
/// <remarks>
/// Read with the configuration's JSON settings (<see cref="DistillationConfigJson"/>): camelCase
/// keys, unknown keys refused, explicit nulls allowed where the spec is nullable (the export writes
/// them), so a file from either writer reads the same and a typo fails instead of being ignored.
/// </remarks>
public static class ModelSpecFile
{
    /// <summary>The file's name beside the state dict.</summary>
    public const string FileName = CentralizedDistillation.StudentModelFile;

    /// <summary>Reads and checks the spec at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not JSON, does not have the structure of a <see cref="ModelSpec"/>, or names an
    /// invalid spec (<see cref="ModelFactory.Validate"/>); the message starts with the path and lists every problem.
    /// </exception>
    public static ModelSpec Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no model spec file '{path}'.", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>The spec as the JSON text <see cref="Parse"/> reads (what <c>model.json</c> holds).</summary>
    public static string ToJson(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return JsonSerializer.Serialize(spec, DistillationConfigJson.ModelSpec);
    }

    /// <summary>
    /// Writes <paramref name="spec"/> to <paramref name="path"/> as <see cref="Read"/> reads it
    /// (the configuration's JSON settings), written beside and renamed into place so a reader
    /// never sees half a file.
    /// </summary>
    public static void Write(ModelSpec spec, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, ToJson(spec));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Parses and checks a spec given as JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">How messages name the text, e.g. its path.</param>
    /// <exception cref="InvalidDataException">The text is not a valid spec; the message starts with <paramref name="source"/>.</exception>
    public static ModelSpec Parse(string json, string source = FileName)
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
            throw new InvalidDataException($"{source}: invalid JSON at line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1}.", exception);
        }

        using (document)
        {
            var typeInfo = DistillationConfigJson.ModelSpec;
            var structural = new List<string>();
            ConfigStructureChecker.Check(document.RootElement, typeInfo, "$", structural);
            if (structural.Count > 0) throw new InvalidDataException($"{source}: {string.Join(" ", structural)}");

            ModelSpec spec;
            try
            {
                spec = document.RootElement.Deserialize(typeInfo) ?? throw new JsonException("The spec is null.");
            }
            catch (JsonException exception)
            {
                throw new InvalidDataException($"{source}: {exception.Path ?? "$"}: {exception.Message}", exception);
            }

            var errors = ModelFactory.Validate(spec);
            if (errors.Count > 0) throw new InvalidDataException($"{source}: {string.Join(" ", errors)}");
            return spec;
        }
    }
}
