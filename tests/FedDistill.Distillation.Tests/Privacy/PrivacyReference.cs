using System.Text.Json;

namespace FedDistill.Distillation.Tests.Privacy;

/// <summary>The values privacy_reference.py computed from TF-Privacy's and PATE's published formulas.</summary>
internal static class PrivacyReference
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Privacy", "reference", "privacy_reference.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static double[] Numbers(JsonElement element) => element.EnumerateArray().Select(value => value.GetDouble()).ToArray();
}
