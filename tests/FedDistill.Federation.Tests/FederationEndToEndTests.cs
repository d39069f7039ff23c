using System.Security.Cryptography;
using FedDistill.Distillation.Federated;
using FedDistill.Federation.Tests.Support;
using FedDistill.Grains.Protocol;

namespace FedDistill.Federation.Tests;

/// <summary>
/// Rounds over a real cluster: an aggregator silo and three hospital silos as separate processes,
/// real sockets, membership, state and artifacts in Azurite; the test drives them as the console
/// does, through an Orleans client of the aggregator's gateway.
/// </summary>
[Trait("Tier", "Slow")]
[Collection(HospitalFederationCollection.Name)]
public sealed class FederationEndToEndTests(HospitalFederationFixture fixture)
{
    /// <summary>
    /// A one-shot round, then a co-distillation round in which every hospital first digests the
    /// last consensus, both complete with all three hospitals' uploads; each published student,
    /// downloaded in chunks through the gateway, is byte for byte the checkpoint its round recorded.
    /// </summary>
    [Fact]
    public async Task A_one_shot_round_then_a_co_distillation_round_complete_with_every_hospital_and_publish_the_recorded_student()
    {
        var federation = fixture.Federation;
        var oneShot = await fixture.RunRoundAsync(new RoundSettings { Quorum = 3, DeadlineSeconds = 240, StudentEpochs = 2 });
        AssertCompletedByEveryHospital(oneShot);
        var result = oneShot.Result!;
        Assert.Equal(3, result.Teachers.Count);
        Assert.All(result.Teachers, teacher => Assert.InRange(teacher.Agreement, 0.0, 1.0));
        Assert.True(result.StudentAccuracy is >= 0.3 and <= 1.0, $"student accuracy {result.StudentAccuracy}: {Describe(result)}\n{federation.Logs()}");
        Assert.True(result.UploadedBytes >= 3L * SmallFederation.PublicExamples * SmallFederation.Classes * 2, $"uploaded {result.UploadedBytes} bytes");
        Assert.True(result.TeacherSeconds > 0 && result.TeacherSeconds < result.RoundSeconds, $"teacher work {result.TeacherSeconds} s in a round of {result.RoundSeconds} s");
        Assert.Equal(result.StudentSha256, Sha256(await FederationPolling.StudentAsync(federation, oneShot.Round)));

        var codistilled = await fixture.RunRoundAsync(new RoundSettings { Quorum = 3, DeadlineSeconds = 240, StudentEpochs = 1, FineTuneEpochs = 1, RevisitEpochs = 0 });
        AssertCompletedByEveryHospital(codistilled);
        Assert.True(codistilled.Result!.DownloadedBytes >= 3L * SmallFederation.PublicExamples * SmallFederation.Classes * 2,
            $"the hospitals downloaded {codistilled.Result.DownloadedBytes} bytes of consensus");
        Assert.Equal(codistilled.Result.StudentSha256, Sha256(await FederationPolling.StudentAsync(federation, codistilled.Round)));
        Assert.Equal(codistilled.Round, (await federation.Admin.GetFederationAsync()).StudentVersion);
        var participants = await federation.Admin.ListParticipantsAsync();
        Assert.All(participants, participant => Assert.Equal("cnn", Assert.Single(participant.LastReport!.Teachers).TeacherId));
    }

    /// <summary>
    /// Private stays home: after a round, every table and container of the cluster is either the
    /// aggregator's (its state table, its artifacts container) or a hospital's own container; the
    /// aggregator's hold neither a teacher's parameters (by name or by value) nor any private
    /// example's pixels, while each hospital's container holds its teacher's checkpoint.
    /// </summary>
    [Fact]
    public async Task The_aggregators_storage_holds_no_teacher_weights_or_private_examples_and_each_hospital_keeps_its_own_checkpoint()
    {
        var federation = fixture.Federation;
        await fixture.CompletedRoundAsync();
        var storage = fixture.Storage;
        var id = federation.ClusterId;
        var hospitalContainers = federation.ParticipantIds.Select(p => $"{id}-{p}").ToList();
        Assert.Equal([$"{id}federation"], await storage.TablesAsync(CancellationToken.None));
        Assert.Equal(hospitalContainers.Append($"{id}-artifacts").Order(), (await storage.ContainersAsync(CancellationToken.None)).Order());

        var aggregator = (await storage.EntitiesAsync($"{id}federation", CancellationToken.None))
            .Concat(await storage.BlobsAsync($"{id}-artifacts", CancellationToken.None)).ToList();
        var where = string.Join(", ", aggregator.Select(item => $"{item.Location} ({item.Bytes.Length} B)"));
        Assert.True(aggregator.Count >= 2, $"the aggregator stored only: {where}");
        Assert.Contains(aggregator, item => EmbeddedSafetensors.Tensors(item.Bytes).Count > 0); // the student, as a positive control of the scan

        foreach (var container in hospitalContainers)
        {
            var teacher = (await storage.BlobsAsync(container, CancellationToken.None)).SelectMany(blob => EmbeddedSafetensors.Tensors(blob.Bytes)).ToList();
            Assert.Contains(teacher, tensor => tensor.Name == "conv1.weight");
            foreach (var item in aggregator)
            {
                Assert.DoesNotContain(EmbeddedSafetensors.Tensors(item.Bytes), tensor => tensor.Name.StartsWith("conv", StringComparison.Ordinal));
                Assert.True(item.Bytes.AsSpan().IndexOf("conv1.weight"u8) < 0, $"{item.Location} names a teacher parameter");
                foreach (var (name, data) in teacher.Where(t => t.Data.Length >= 256))
                {
                    foreach (var offset in new[] { 0, data.Length / 2 - 16, data.Length - 32 })
                        Assert.True(item.Bytes.AsSpan().IndexOf(data.Span.Slice(offset, 32)) < 0, $"{item.Location} holds bytes of {container}'s {name} at offset {offset}");
                }
            }
        }

        foreach (var (example, window) in PrivateExampleWindows())
        {
            foreach (var item in aggregator)
                Assert.True(item.Bytes.AsSpan().IndexOf(window) < 0, $"{item.Location} holds pixels of private example {example}");
        }
    }

    private void AssertCompletedByEveryHospital(RoundInfo round)
    {
        Assert.True(round.State == RoundState.Completed, $"round {round.Round} ended {round.State}: {round.FailureReason}\n{fixture.Federation.Logs()}");
        Assert.Equal(["hospital-1", "hospital-2", "hospital-3"], round.Uploaded.Order());
    }

    /// <summary>
    /// Distinctive byte windows of every example of the pool the hospitals' private shares are cut
    /// from (the first 3,000 training images): the middle row of each image as 8-bit pixels, as the
    /// loader's floats in [0, 1], and as floats normalized the way a hospital feeds its teacher.
    /// </summary>
    private static IEnumerable<(int Example, byte[] Window)> PrivateExampleWindows()
    {
        var sources = new DataSources(null);
        var publicSet = PublicSet.Load(new PublicSetDefinition(Start: 50_000, Count: SmallFederation.PublicExamples, AugmentedCopies: 0), sources);
        var pool = sources.Get("fashion-mnist-train").Subset(Enumerable.Range(0, 3000).ToArray());
        var normalized = publicSet.Normalization.Apply(pool);
        const int row = 14 * 28;
        for (var i = 0; i < pool.Count; i++)
        {
            var pixels = pool.GetFeatures(i).Slice(row, 28).ToArray();
            if (pixels.Distinct().Count() < 8) continue; // a near-blank row says nothing
            yield return (i, pixels.Select(p => (byte)Math.Round(p * 255f)).ToArray());
            yield return (i, FloatBytes(pixels));
            yield return (i, FloatBytes(normalized.GetFeatures(i).Slice(row, 28).ToArray()));
        }
    }

    private static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    private static string Describe(RoundResult result) =>
        $"student {result.StudentAccuracy}, ensemble {result.EnsembleAccuracy}, final loss {result.FinalLoss}, teachers " +
        string.Join("; ", result.Teachers.Select(t => $"{t.ParticipantId}/{t.TeacherId} validation {t.ValidationAccuracy} reported {t.ReportedAccuracy} agreement {t.Agreement} weight {t.Weight}"));

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
