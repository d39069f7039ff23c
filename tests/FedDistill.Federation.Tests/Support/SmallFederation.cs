using FedDistill.Client.Federation;
using FedDistill.Testing;

namespace FedDistill.Federation.Tests.Support;

/// <summary>
/// A federation small enough for end-to-end tests on a busy 2-core machine: a 500-image public
/// set, an MLP student, one small teacher per hospital trained for two epochs on its share of
/// 3,000 images.
/// </summary>
public static class SmallFederation
{
    public const int PublicExamples = TinyFederationSettings.PublicExamples;
    public const int Classes = TinyFederationSettings.Classes;

    /// <summary>The federation's name (the aggregator grain's key).</summary>
    public const string Name = "test-federation";

    /// <summary>Silos start slowly when other builds share the cores.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    /// <summary>
    /// Options for <paramref name="hospitals"/> hospitals, each with an MLP teacher, or a small CNN
    /// when <paramref name="cnnTeachers"/>; <paramref name="adjust"/> may change hospital i's settings
    /// each time its silo starts; <paramref name="aggregatorExtra"/> adds to the aggregator's.
    /// </summary>
    public static LocalFederationOptions Options(string workDirectory, int hospitals, bool startHospitals = true, bool cnnTeachers = false,
        Action<int, Dictionary<string, string>>? adjust = null, IReadOnlyDictionary<string, string>? aggregatorExtra = null) => new()
    {
        WorkDirectory = workDirectory,
        Participants = hospitals,
        StartParticipants = startHospitals,
        StartTimeout = StartTimeout,
        AggregatorSettings = TinyFederationSettings.Aggregator(Name, aggregatorExtra),
        ParticipantSettings = index =>
        {
            var settings = cnnTeachers ? CnnTeacher() : TinyFederationSettings.Participant(3000);
            adjust?.Invoke(index, settings);
            return settings;
        },
    };

    /// <summary>
    /// A hospital whose teacher is a small CNN: its parameters (<c>conv1.weight</c>, ...) are named
    /// unlike anything of the MLP student, so a teacher checkpoint is recognisable by its names. Small
    /// batches and a few more epochs than the MLP's: two epochs of 128-image batches leave it at chance.
    /// </summary>
    private static Dictionary<string, string> CnnTeacher()
    {
        var settings = TinyFederationSettings.Participant(3000);
        settings.Remove("FedDistill:Organization:Teachers:0:Model:HiddenWidths:0");
        settings["FedDistill:Organization:Teachers:0:Id"] = "cnn";
        settings["FedDistill:Organization:Teachers:0:Model:Kind"] = "small-cnn";
        settings["FedDistill:Organization:Teachers:0:Model:Channels:0"] = "4";
        settings["FedDistill:Organization:Teachers:0:Model:Channels:1"] = "8";
        settings["FedDistill:Organization:Teachers:0:Model:Channels:2"] = "16";
        settings["FedDistill:Organization:Teachers:0:Epochs"] = "5";
        settings["FedDistill:Organization:Teachers:0:BatchSize"] = "32";
        settings["FedDistill:Organization:Teachers:0:LearningRate"] = "0.004";
        return settings;
    }
}
