using FedDistill.Client.Federation;
using FedDistill.Testing;

namespace FedDistill.Client.Tests.Support;

/// <summary>
/// A federation small enough for console tests: a 500-image public set, an MLP student and two
/// hospitals with one brief MLP teacher each. The settings are the shared <see cref="TinyFederationSettings"/>.
/// </summary>
public static class SmallFederation
{
    public const int PublicExamples = TinyFederationSettings.PublicExamples;
    public const int Classes = TinyFederationSettings.Classes;
    public const int Participants = 2;
    public const string Name = "console-test-federation";

    /// <param name="workDirectory">Where the silos' logs go.</param>
    /// <param name="startHospitals">Whether the hospitals' silos run (else they are only admitted).</param>
    public static LocalFederationOptions Options(string workDirectory, bool startHospitals) => new()
    {
        WorkDirectory = workDirectory,
        Participants = Participants,
        StartParticipants = startHospitals,
        AggregatorSettings = TinyFederationSettings.Aggregator(Name),
        ParticipantSettings = _ => TinyFederationSettings.Participant(2000),
    };
}
