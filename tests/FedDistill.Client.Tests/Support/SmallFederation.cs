using System.Globalization;
using FedDistill.Client.Federation;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Tests.Support;

/// <summary>
/// An aggregator small enough for console tests: a 500-image public set and an MLP student, no
/// participant silos (the tests upload for them). Copied from the federation tests' settings.
/// </summary>
public static class SmallFederation
{
    public const int PublicExamples = 500;
    public const int Classes = 10;
    public const int Participants = 2;
    public const string Name = "console-test-federation";

    public static LocalFederationOptions Options(string workDirectory) => new()
    {
        WorkDirectory = workDirectory,
        Participants = Participants,
        StartParticipants = false,
        AggregatorSettings = new Dictionary<string, string>
        {
            ["FedDistill:Aggregator:FederationName"] = Name,
            ["FedDistill:Aggregator:PublicSet:Start"] = "50000",
            ["FedDistill:Aggregator:PublicSet:Count"] = PublicExamples.ToString(CultureInfo.InvariantCulture),
            ["FedDistill:Aggregator:PublicSet:AugmentedCopies"] = "0",
            ["FedDistill:Aggregator:ValidationExamples"] = "200",
            ["FedDistill:Aggregator:EvaluationExamples"] = "1000",
            ["FedDistill:Aggregator:Student:Kind"] = "mlp",
            ["FedDistill:Aggregator:Student:HiddenWidths:0"] = "64",
            ["FedDistill:Aggregator:Threads"] = "1",
        },
    };

    /// <summary>A valid upload of one teacher's logits for <paramref name="participant"/>.</summary>
    public static byte[] Upload(int round, string participant, string fingerprint, int seed)
    {
        var random = new Random(seed);
        var logits = Enumerable.Range(0, PublicExamples * Classes).Select(_ => (float)random.NextDouble() * 4).ToArray();
        var report = new TeacherReport("mlp", "mlp", 1000, 100, Enumerable.Repeat(10, Classes).ToArray());
        return SoftLabelsCodec.Encode(round, participant, fingerprint, "float32", Classes, [(report, logits)]);
    }
}
