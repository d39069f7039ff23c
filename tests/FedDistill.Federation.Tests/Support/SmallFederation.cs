using System.Globalization;
using FedDistill.Client.Federation;

namespace FedDistill.Federation.Tests.Support;

/// <summary>Settings for a federation small enough for tests: a 500-image public set, MLP teachers and student.</summary>
public static class SmallFederation
{
    public const int PublicExamples = 500;
    public const int Classes = 10;
    public const long MaxUploadBytes = 64 * 1024;

    public static LocalFederationOptions Options(string workDirectory, string storeProvider, string? storeConnectionString,
        int participants = 3, bool startParticipants = true, IReadOnlyList<string>? unregistered = null) => new()
    {
        WorkDirectory = workDirectory,
        Participants = participants,
        StoreProvider = storeProvider,
        StoreConnectionString = storeConnectionString,
        StartParticipants = startParticipants,
        UnregisteredCertificates = unregistered ?? [],
        AggregatorSettings = new Dictionary<string, string>
        {
            ["FedDistill:Aggregator:FederationName"] = "test-federation",
            ["FedDistill:Aggregator:PublicSet:Start"] = "50000",
            ["FedDistill:Aggregator:PublicSet:Count"] = PublicExamples.ToString(CultureInfo.InvariantCulture),
            ["FedDistill:Aggregator:PublicSet:AugmentedCopies"] = "0",
            ["FedDistill:Aggregator:ValidationExamples"] = "200",
            ["FedDistill:Aggregator:EvaluationExamples"] = "1000",
            ["FedDistill:Aggregator:Student:Kind"] = "mlp",
            ["FedDistill:Aggregator:Student:HiddenWidths:0"] = "64",
            ["FedDistill:Aggregator:MaxUploadBytes"] = MaxUploadBytes.ToString(CultureInfo.InvariantCulture),
            ["FedDistill:Aggregator:Threads"] = "1",
        },
        ParticipantSettings = _ => new Dictionary<string, string>
        {
            ["FedDistill:Participant:PrivateData:Count"] = "3000",
            ["FedDistill:Participant:PrivateData:MinPartSize"] = "100",
            ["FedDistill:Participant:Teachers:0:Id"] = "mlp",
            ["FedDistill:Participant:Teachers:0:Model:Kind"] = "mlp",
            ["FedDistill:Participant:Teachers:0:Model:HiddenWidths:0"] = "64",
            ["FedDistill:Participant:Teachers:0:Model:Dropout"] = "0",
            ["FedDistill:Participant:Teachers:0:Epochs"] = "2",
            ["FedDistill:Participant:Teachers:0:AugmentedCopies"] = "0",
            ["FedDistill:Participant:PollIntervalMilliseconds"] = "200",
            ["FedDistill:Participant:Connection:RetrySeconds"] = "1",
        },
    };
}
