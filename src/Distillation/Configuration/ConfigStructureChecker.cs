using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// Walks a JSON document alongside the serializer's metadata for the type it should become, and
/// collects every structural problem with its JSON path: unknown or duplicate keys (with the keys
/// allowed at that level, taken from <see cref="JsonTypeInfo.Properties"/>), missing required keys,
/// nulls where none are allowed, and values of the wrong JSON kind. Reporting them all at once,
/// by path, is what the serializer's first-error exception cannot do.
/// </summary>
internal static class ConfigStructureChecker
{
    private const int MaximumValueText = 40;

    /// <summary>Checks <paramref name="element"/> against <paramref name="info"/>, adding one message per problem to <paramref name="errors"/>.</summary>
    public static void Check(JsonElement element, JsonTypeInfo info, string path, List<string> errors)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                CheckObject(element, info, path, errors);
                break;
            case JsonTypeInfoKind.Enumerable:
                if (element.ValueKind != JsonValueKind.Array)
                {
                    errors.Add($"{path} must be an array; got {Describe(element)}.");
                    return;
                }
                var itemInfo = info.Options.GetTypeInfo(info.ElementType!);
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckNullable(item, itemInfo, Nullable.GetUnderlyingType(info.ElementType!) is not null, $"{path}[{index}]", errors);
                    index++;
                }
                break;
            case JsonTypeInfoKind.Dictionary:
                if (element.ValueKind != JsonValueKind.Object)
                {
                    errors.Add($"{path} must be an object; got {Describe(element)}.");
                    return;
                }
                var valueInfo = info.Options.GetTypeInfo(info.ElementType!);
                foreach (var entry in element.EnumerateObject())
                    CheckNullable(entry.Value, valueInfo, Nullable.GetUnderlyingType(info.ElementType!) is not null, $"{path}.{entry.Name}", errors);
                break;
            default:
                if (Expectation(element, info.Type) is { } expected)
                    errors.Add($"{path} must be {expected}; got {Describe(element)}.");
                break;
        }
    }

    private static void CheckObject(JsonElement element, JsonTypeInfo info, string path, List<string> errors)
    {
        var allowed = string.Join(", ", info.Properties.Select(property => property.Name));
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path} must be an object with keys {allowed}; got {Describe(element)}.");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in element.EnumerateObject())
        {
            if (!seen.Add(entry.Name))
            {
                errors.Add($"duplicate key '{entry.Name}' at {path}; give each key once.");
                continue;
            }
            var property = info.Properties.FirstOrDefault(candidate => candidate.Name == entry.Name);
            if (property is null)
            {
                errors.Add($"unknown key '{entry.Name}' at {path}; allowed: {allowed}.{Suggestion(entry.Name, info)}");
                continue;
            }
            CheckNullable(entry.Value, info.Options.GetTypeInfo(property.PropertyType), property.IsSetNullable, $"{path}.{entry.Name}", errors);
        }

        foreach (var property in info.Properties)
        {
            if (property.IsRequired && !seen.Contains(property.Name))
                errors.Add($"missing key '{property.Name}' at {path}; it is required.");
        }
    }

    private static void CheckNullable(JsonElement value, JsonTypeInfo info, bool nullable, string path, List<string> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!nullable) errors.Add($"{path} must not be null; leave the key out to take its default.");
            return;
        }
        Check(value, info, path, errors);
    }

    /// <summary>What a primitive of <paramref name="type"/> must look like, or null when <paramref name="value"/> fits.</summary>
    private static string? Expectation(JsonElement value, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var isNumber = value.ValueKind == JsonValueKind.Number;
        if (underlying == typeof(int)) return isNumber && value.TryGetInt32(out _) ? null : "a whole number";
        if (underlying == typeof(long)) return isNumber && value.TryGetInt64(out _) ? null : "a whole number";
        if (underlying == typeof(ulong)) return isNumber && value.TryGetUInt64(out _) ? null : "a whole number ≥ 0";
        if (underlying == typeof(double)) return isNumber ? null : "a number";
        if (underlying == typeof(bool)) return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "true or false";
        if (underlying == typeof(string)) return value.ValueKind == JsonValueKind.String ? null : "a string";
        return null;
    }

    private static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        if (text.Length > MaximumValueText) text = text[..MaximumValueText] + "…";
        return value.ValueKind switch
        {
            JsonValueKind.String => $"the string {text}",
            JsonValueKind.Number => $"the number {text}",
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.Null => "null",
            _ => text,
        };
    }

    /// <summary>" Did you mean 'x'?" when one allowed key is within two edits (ignoring case) of the unknown one.</summary>
    private static string Suggestion(string unknown, JsonTypeInfo info)
    {
        var best = info.Properties
            .Select(property => (property.Name, Distance: EditDistance(unknown.ToLowerInvariant(), property.Name.ToLowerInvariant())))
            .OrderBy(candidate => candidate.Distance)
            .FirstOrDefault();
        return best.Name is not null && best.Distance <= 2 ? $" Did you mean '{best.Name}'?" : "";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
