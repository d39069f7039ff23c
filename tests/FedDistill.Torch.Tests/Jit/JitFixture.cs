using System.Text.Json;
using FedDistill.Torch.Tests.Reference;

namespace FedDistill.Torch.Tests.Jit;

/// <summary>fixture.json and the TorchScript files make_fixture.py wrote next to it, as copied to the test output.</summary>
internal static class JitFixture
{
    private static readonly Lazy<JsonElement> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(FixturePath)).RootElement);

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Jit");

    public static string FixturePath => Path.Combine(Directory, "fixture.json");

    public static string ConvClassifierPath => Path.Combine(Directory, "conv_classifier.pt");

    public static string FeatureClassifierPath => Path.Combine(Directory, "feature_classifier.pt");

    /// <summary>The fixed [2, 1, 8, 8] input both models were run on.</summary>
    public static ReferenceTensor Input => ReferenceTensor.Parse(Document.Value.GetProperty("input"));

    public static long[] Labels => Document.Value.GetProperty("labels").EnumerateArray().Select(label => label.GetInt64()).ToArray();

    public static ReferenceTensor Output(string model, string name) => ReferenceTensor.Parse(Document.Value.GetProperty(model).GetProperty(name));

    public static string[] Names(string model, string property) =>
        Document.Value.GetProperty(model).GetProperty(property).EnumerateArray().Select(name => name.GetString()!).ToArray();
}
