using System.Globalization;

namespace FedDistill.Testing;

/// <summary>
/// Settings of a federation small enough for tests, shared (as a linked source file) by every
/// test project that starts silo processes: a 500-image public set, MLP teachers and student.
/// </summary>
public static class TinyFederationSettings
{
    /// <summary>Rows of the public set.</summary>
    public const int PublicExamples = 500;

    /// <summary>Fashion-MNIST's classes.</summary>
    public const int Classes = 10;

    /// <summary>The aggregator's settings, with <paramref name="extra"/> added or overriding.</summary>
    public static Dictionary<string, string> Aggregator(string federationName, IReadOnlyDictionary<string, string>? extra = null) => With(new()
    {
        ["FedDistill:Aggregator:FederationName"] = federationName,
        ["FedDistill:Aggregator:PublicSet:Start"] = "50000",
        ["FedDistill:Aggregator:PublicSet:Count"] = PublicExamples.ToString(CultureInfo.InvariantCulture),
        ["FedDistill:Aggregator:PublicSet:AugmentedCopies"] = "0",
        ["FedDistill:Aggregator:ValidationExamples"] = "200",
        ["FedDistill:Aggregator:EvaluationExamples"] = "1000",
        ["FedDistill:Aggregator:Student:Kind"] = "mlp",
        ["FedDistill:Aggregator:Student:HiddenWidths:0"] = "64",
        ["FedDistill:Aggregator:Threads"] = "1",
    }, extra);

    /// <summary>
    /// An organization's settings (its silo's <c>FedDistill:Organization</c> section): one MLP teacher
    /// trained briefly on its share of <paramref name="privateCount"/> images.
    /// </summary>
    public static Dictionary<string, string> Participant(int privateCount, IReadOnlyDictionary<string, string>? extra = null) => With(new()
    {
        ["FedDistill:Organization:PrivateData:Count"] = privateCount.ToString(CultureInfo.InvariantCulture),
        ["FedDistill:Organization:PrivateData:MinPartSize"] = "100",
        ["FedDistill:Organization:Teachers:0:Id"] = "mlp",
        ["FedDistill:Organization:Teachers:0:Model:Kind"] = "mlp",
        ["FedDistill:Organization:Teachers:0:Model:HiddenWidths:0"] = "64",
        ["FedDistill:Organization:Teachers:0:Model:Dropout"] = "0",
        ["FedDistill:Organization:Teachers:0:Epochs"] = "2",
        ["FedDistill:Organization:Teachers:0:AugmentedCopies"] = "0",
        ["FedDistill:Organization:Threads"] = "1",
    }, extra);

    private static Dictionary<string, string> With(Dictionary<string, string> settings, IReadOnlyDictionary<string, string>? extra)
    {
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) settings[key] = value;
        return settings;
    }
}
