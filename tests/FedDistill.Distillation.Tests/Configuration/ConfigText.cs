using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace FedDistill.Distillation.Tests.Configuration;

/// <summary>Configuration JSON for the tests: a small valid base, edited by key paths.</summary>
internal static class ConfigText
{
    /// <summary>A valid configuration that names no files: two teachers trained here, an mlp student.</summary>
    public const string Valid = """
        {
          "data": { "publicCount": 1000, "validationCount": 100 },
          "teachers": [
            { "id": "a", "model": { "kind": "small-cnn" } },
            { "id": "b", "model": { "kind": "mlp" } }
          ],
          "student": { "model": { "kind": "mlp", "hiddenWidths": [32] } }
        }
        """;

    /// <summary>The value that removes a key instead of setting it.</summary>
    public const string Remove = "<remove>";

    /// <summary>
    /// <see cref="Valid"/> with edits applied, written as <c>path=json; path=json</c>, e.g.
    /// <c>teachers[0].model.kind="cnn"; loss.alpha=0.5</c>; a value of <see cref="Remove"/> deletes the key.
    /// </summary>
    public static string Edit(string edits)
    {
        var root = JsonNode.Parse(Valid)!.AsObject();
        foreach (var edit in edits.Split("; ", StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = edit.IndexOf('=');
            Set(root, edit[..equals].Trim(), edit[(equals + 1)..].Trim());
        }
        return root.ToJsonString();
    }

    /// <summary>The repository root, from this source file's compile-time path.</summary>
    public static string RepositoryRoot([CallerFilePath] string sourceFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "..", ".."));

    private static void Set(JsonObject root, string path, string value)
    {
        var segments = path.Split('.');
        JsonNode node = root;
        for (var i = 0; i < segments.Length; i++)
        {
            var (name, index) = Parse(segments[i]);
            var last = i == segments.Length - 1;
            var parent = node.AsObject();
            if (index is null && last)
            {
                if (value == Remove) parent.Remove(name);
                else parent[name] = JsonNode.Parse(value);
                return;
            }
            parent[name] ??= index is null ? new JsonObject() : new JsonArray();
            node = parent[name]!;
            if (index is { } position)
            {
                if (last)
                {
                    if (value == Remove) node.AsArray().RemoveAt(position);
                    else node.AsArray()[position] = JsonNode.Parse(value);
                    return;
                }
                node = node.AsArray()[position]!;
            }
        }
    }

    private static (string Name, int? Index) Parse(string segment)
    {
        var bracket = segment.IndexOf('[');
        return bracket < 0 ? (segment, null) : (segment[..bracket], int.Parse(segment[(bracket + 1)..^1]));
    }
}
