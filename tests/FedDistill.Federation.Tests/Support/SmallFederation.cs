using System.Globalization;
using FedDistill.Client.Federation;
using FedDistill.Testing;

namespace FedDistill.Federation.Tests.Support;

/// <summary>Settings for a federation small enough for tests: a 500-image public set, MLP teachers and student.</summary>
public static class SmallFederation
{
    public const int PublicExamples = TinyFederationSettings.PublicExamples;
    public const int Classes = TinyFederationSettings.Classes;
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
        AggregatorSettings = TinyFederationSettings.Aggregator("test-federation", new Dictionary<string, string>
        {
            ["FedDistill:Aggregator:MaxUploadBytes"] = MaxUploadBytes.ToString(CultureInfo.InvariantCulture),
        }),
        // Small batches make a co-distillation digest last a few seconds: long enough to kill a participant in the middle of it.
        ParticipantSettings = _ => TinyFederationSettings.Participant(3000, new Dictionary<string, string> { ["FedDistill:Participant:Teachers:0:BatchSize"] = "16" }),
    };
}
