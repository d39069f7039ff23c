using Microsoft.Extensions.DependencyInjection;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.Storage;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>Rounds on a real Orleans cluster (in process): one aggregator silo and three hospital silos.</summary>
[Trait("Tier", "Slow")]
public sealed class FederationRoundTests
{
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// hospital-1's payload write is held back: the other two hospitals' uploads are accepted while
    /// it is in flight (a completion's storage write interleaves with the aggregator's other
    /// requests, so writes overlap instead of queueing one behind the other). Released, hospital-1's
    /// upload is accepted too and the round completes with all three.
    /// </summary>
    [Fact]
    public async Task Uploads_are_accepted_while_another_organizations_payload_is_still_being_written()
    {
        await using var federation = await FederationCluster.StartAsync();
        await federation.AdmitAllAsync();
        var writes = federation.SiloOf("aggregator").ServiceProvider.GetRequiredService<StorageWrites>();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        writes.BeforeWrite = grain =>
        {
            if (!grain.EndsWith("/uploads/1/hospital-1", StringComparison.Ordinal)) return Task.CompletedTask;
            held.TrySetResult();
            return release.Task;
        };
        try
        {
            var round = await federation.Aggregator.StartRoundAsync(new RoundSettings { Quorum = 3, DeadlineSeconds = 600, StudentEpochs = 1 });
            await held.Task.WaitAsync(RoundTimeout);
            var others = await federation.WaitForAsync(round.Round, r => r.Uploaded.Count == 2, RoundTimeout);
            Assert.Equal(["hospital-2", "hospital-3"], others.Uploaded.Order());
            Assert.Equal(RoundState.Open, others.State);

            release.SetResult();
            var done = await federation.WaitForEndAsync(round.Round, RoundTimeout);
            Assert.Equal(RoundState.Completed, done.State);
            Assert.Equal(federation.Hospitals.Order(), done.Uploaded.Order());
        }
        finally
        {
            release.TrySetResult();
            writes.BeforeWrite = null;
        }
    }

    [Fact]
    public async Task A_one_shot_round_then_a_co_distillation_round_publish_students()
    {
        await using var federation = await FederationCluster.StartAsync();
        await federation.AdmitAllAsync();

        var first = await federation.Aggregator.StartRoundAsync(new RoundSettings { Quorum = 3, DeadlineSeconds = 600, StudentEpochs = 15, LogitsDType = "float16" });
        var done = await federation.WaitForEndAsync(first.Round, RoundTimeout);

        Assert.Equal(RoundState.Completed, done.State);
        Assert.Equal(federation.Hospitals.Order(), done.Uploaded.Order());
        Assert.Equal(3, done.Result!.Teachers.Count);
        Assert.True(done.Result.StudentAccuracy > 0.5, $"student accuracy {done.Result.StudentAccuracy}");
        Assert.True(done.Result.UploadedBytes > 3 * FederationCluster.PublicExamples * 10 * 2, $"uploaded {done.Result.UploadedBytes} bytes");
        // The student's curve: every one of the 15 epochs, its loss, and the last epoch's accuracy is the round's.
        var epochs = done.Result.StudentEpochs!;
        Assert.Equal(Enumerable.Range(1, 15), epochs.Select(e => e.Epoch));
        Assert.All(epochs, e => Assert.True(double.IsFinite(e.Loss) && e.Loss >= 0, $"epoch {e.Epoch} loss {e.Loss}"));
        Assert.Equal(done.Result.FinalLoss, epochs[^1].Loss);
        Assert.Equal(done.Result.StudentAccuracy, epochs[^1].Accuracy);
        var info = await federation.Aggregator.GetFederationAsync();
        Assert.Equal(1, info.StudentVersion);

        var second = await federation.Aggregator.StartRoundAsync(new RoundSettings
        {
            Quorum = 3, DeadlineSeconds = 600, StudentEpochs = 1, FineTuneEpochs = 1, RevisitEpochs = 1, TargetHistoryWeight = 0.25,
        });
        var codistilled = await federation.WaitForEndAsync(second.Round, RoundTimeout);

        Assert.Equal(RoundState.Completed, codistilled.State);
        Assert.True(codistilled.Result!.DownloadedBytes >= 3L * FederationCluster.PublicExamples * 10 * sizeof(float),
            $"each hospital downloads the consensus of round 1; downloaded {codistilled.Result.DownloadedBytes} bytes");
        var student = new List<byte>();
        await foreach (var chunk in federation.Aggregator.ReadStudentAsync(2)) student.AddRange(chunk);
        Assert.Equal(codistilled.Result.StudentSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(student.ToArray())));

        // The student of round 2 learned from 0.75 × round 2's ensemble + 0.25 × round 1's (its target then).
        var archive = new ArtifactArchive(federation.SiloOf("aggregator").ServiceProvider);
        var ensemble1 = await ConsensusAsync(archive, info.PublicSetFingerprint, "consensus/1");
        var ensemble2 = await ConsensusAsync(archive, info.PublicSetFingerprint, "consensus/2");
        var target2 = await ConsensusAsync(archive, info.PublicSetFingerprint, "targets/2");
        Assert.Null(await archive.GetAsync(FederationCluster.FederationName, "targets/1"));
        Assert.NotEqual(ensemble1, ensemble2);
        for (var i = 0; i < target2.Length; i++) Assert.Equal(0.75f * ensemble2[i] + 0.25f * ensemble1[i], target2[i], 1e-4f);

        // What students compress fine-tunes against, as the operator reads it: the blended target of
        // round 2, and round 1's ensemble (its target, not stored apart), as little-endian float32 rows.
        Assert.Equal(target2, await DistillationTargetAsync(federation.Aggregator, 2));
        Assert.Equal(ensemble1, await DistillationTargetAsync(federation.Aggregator, 1));
    }

    private static async Task<float[]> DistillationTargetAsync(IAggregatorGrain aggregator, int round)
    {
        var bytes = new List<byte>();
        await foreach (var chunk in aggregator.ReadDistillationTargetAsync(round)) bytes.AddRange(chunk);
        Assert.Equal(FederationCluster.PublicExamples * 10 * sizeof(float), bytes.Count);
        var array = bytes.ToArray();
        return Enumerable.Range(0, array.Length / sizeof(float)).Select(i => System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(array.AsSpan(i * sizeof(float)))).ToArray();
    }

    private static async Task<float[]> ConsensusAsync(ArtifactArchive archive, string fingerprint, string name)
    {
        var bytes = await archive.GetAsync(FederationCluster.FederationName, name);
        Assert.NotNull(bytes);
        return SoftLabelsCodec.DecodeConsensus(bytes, fingerprint, FederationCluster.PublicExamples, 10);
    }
}
