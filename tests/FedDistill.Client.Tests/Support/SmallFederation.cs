using FedDistill.Client.Federation;
using FedDistill.Grains.Protocol;
using FedDistill.Testing;

namespace FedDistill.Client.Tests.Support;

/// <summary>
/// An aggregator small enough for console tests: a 500-image public set and an MLP student, no
/// participant silos (the tests upload for them). The settings are the shared <see cref="TinyFederationSettings"/>.
/// </summary>
public static class SmallFederation
{
    public const int PublicExamples = TinyFederationSettings.PublicExamples;
    public const int Classes = TinyFederationSettings.Classes;
    public const int Participants = 2;
    public const string Name = "console-test-federation";

    public static LocalFederationOptions Options(string workDirectory) => new()
    {
        WorkDirectory = workDirectory,
        Participants = Participants,
        StartParticipants = false,
        AggregatorSettings = TinyFederationSettings.Aggregator(Name),
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
