using System.Runtime.InteropServices;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Clients;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.SecureSummation;
using FedDistill.Grains.Storage;
using FedDistill.Security.SecureSummation;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;
using Xunit.Abstractions;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>Secure-summation rounds on a real Orleans cluster (in process): one aggregator silo and three hospital silos with certificates from the federation's CA.</summary>
[Trait("Tier", "Slow")]
public sealed class SecureSummationRoundTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(4);
    private const int Classes = 10;

    /// <summary>
    /// A plain round, then a secure round with the same teachers: the secure round's ensemble
    /// equals the plain one within the ring's precision, and nothing the aggregator wrote to
    /// storage during the secure round (every write of its state and of its artifacts: the
    /// protocol's stored keys, share bundles and reveals, masked uploads, unmasked sum, consensus,
    /// student), nor anything its silo logged, holds a 16-byte
    /// run of any hospital's logits (fp32, fp16, fixed point) or of the sums it masked.
    /// </summary>
    [Fact]
    public async Task A_secure_round_equals_the_plain_round_and_stores_no_organizations_logits()
    {
        await using var federation = await FederationCluster.StartAsync();
        await federation.AdmitAllAsync();
        var settings = new RoundSettings { Strategy = "per-class-weighted", Quorum = 3, DeadlineSeconds = 600, StudentEpochs = 1, LogitsDType = "float32" };

        var plain = await federation.WaitForEndAsync((await federation.Aggregator.StartRoundAsync(settings)).Round, RoundTimeout);
        Assert.Equal(RoundState.Completed, plain.State);
        var writes = federation.SiloOf("aggregator").ServiceProvider.GetRequiredService<StorageWrites>();
        var writesBefore = writes.Count;
        var log = federation.SiloOf("aggregator").ServiceProvider.GetRequiredService<RecordingLoggerProvider>();
        var logBefore = log.Count;
        var secure = await federation.WaitForEndAsync((await federation.Aggregator.StartRoundAsync(settings with { SecureSummation = true })).Round, RoundTimeout);

        Assert.Equal(RoundState.Completed, secure.State);
        Assert.Equal(federation.Hospitals.Order(), secure.Uploaded.Order());
        Assert.Empty(secure.Result!.Teachers);
        var fingerprint = (await federation.Aggregator.GetFederationAsync()).PublicSetFingerprint;
        var archive = new ArtifactArchive(federation.SiloOf("aggregator").ServiceProvider);
        var plainEnsemble = SoftLabelsCodec.DecodeConsensus((await archive.GetAsync(FederationCluster.FederationName, $"consensus/{plain.Round}"))!, fingerprint, FederationCluster.PublicExamples, Classes);
        var secureEnsemble = SoftLabelsCodec.DecodeConsensus((await archive.GetAsync(FederationCluster.FederationName, $"consensus/{secure.Round}"))!, fingerprint, FederationCluster.PublicExamples, Classes);
        var largest = plainEnsemble.Zip(secureEnsemble, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"largest difference between the plain and the secure ensemble: {largest:E2}");
        Assert.True(largest <= 1e-4, $"the secure ensemble differs from the plain one by up to {largest}");

        // What each hospital had: its teacher's logits (the plain round's float32 upload) and the sums it masked.
        var secrets = new List<byte[]>();
        var ring = SecureRoundParameters.Ring(federation.Hospitals.Count);
        foreach (var hospital in federation.Hospitals)
        {
            var upload = SoftLabelsCodec.Decode(await StoredUploadAsync(federation, archive, plain.Round, hospital), plain.Round, hospital,
                fingerprint, FederationCluster.PublicExamples, Classes);
            foreach (var teacher in upload.Teachers)
            {
                secrets.AddRange(Representations(teacher.Logits, ring));
                secrets.AddRange(Representations(OwnSums(settings, hospital, teacher, validationExamples: 200), ring));
            }
        }
        var windows = Windows(secrets);
        Assert.True(windows.Count > 10_000, $"only {windows.Count} windows to look for");

        // Everything the aggregator wrote from the secure round's start to its end: its state at
        // every write, the masked uploads, the unmasked sum, the consensus and the student.
        var stored = writes.Since(writesBefore);
        Assert.Equal(3, stored.Count(write => write.Grain.Contains($"/uploads/{secure.Round}/", StringComparison.Ordinal)));
        Assert.Contains(stored, write => write.Grain.EndsWith($"/sums/{secure.Round}", StringComparison.Ordinal));
        // The protocol's state, stored step by step so that a restarted aggregator resumes the round, is checked too.
        foreach (var step in new[] { "keys", "shares", "reveals" })
            Assert.Equal(3, stored.Count(write => write.Grain.Contains($"/secure/{secure.Round}/{step}/", StringComparison.Ordinal)));
        Assert.Contains(stored, write => write.Provider == StorageNames.Federation);
        output.WriteLine($"{stored.Count} writes, {stored.Sum(write => write.Bytes.Length)} bytes stored by the aggregator during the secure round");
        // The check sees what it must: the plain round's own uploads do hold the logits.
        Assert.True(Holds(await StoredUploadAsync(federation, archive, plain.Round, "hospital-1"), windows));
        foreach (var (provider, grain, bytes) in stored)
            Assert.False(Holds(bytes, windows), $"{provider} '{grain}' ({bytes.Length} bytes) holds a 16-byte run of an organization's logits or sums");

        // And nothing it logged meanwhile: no 16-byte run of them, and no logit written out as text.
        var logged = log.Since(logBefore);
        Assert.Contains(logged, message => message.Contains("unmasked the sum of 3 organizations", StringComparison.Ordinal));
        var logitTexts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hospital in federation.Hospitals)
        {
            var upload = SoftLabelsCodec.Decode(await StoredUploadAsync(federation, archive, plain.Round, hospital), plain.Round, hospital,
                fingerprint, FederationCluster.PublicExamples, Classes);
            foreach (var value in upload.Teachers.SelectMany(teacher => teacher.Logits))
                if (value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) is { Length: >= 8 } written) logitTexts.Add(written);
        }
        output.WriteLine($"{logged.Count} log messages from the aggregator's silo during the secure round");
        foreach (var message in logged)
        {
            Assert.False(Holds(System.Text.Encoding.UTF8.GetBytes(message), windows), $"the log message '{message}' holds a 16-byte run of an organization's logits or sums");
            Assert.DoesNotContain(logitTexts, written => message.Contains(written, StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// A federation's first rounds, secure, with hospitals of a demo's size (12,000, 16,000 and
    /// 21,000 private examples, beyond what the ring holds unscaled at 3 organizations): in
    /// <c>fixed-weights</c>, which weights each teacher's logits by its private examples, and in
    /// <c>per-class-weighted</c>, by its class counts, the secure round completes before any
    /// organization has reported counts, because each states the scale its own counts need with its
    /// keys and every party divides by the largest; its ensemble equals the plain round's (run after
    /// it, with the same teachers) within the ring's precision, and the scale the aggregator logs is
    /// the one the hospitals' reported counts call for.
    /// </summary>
    [Fact]
    public async Task A_federations_first_secure_weighted_rounds_at_a_demos_private_example_counts_complete_and_equal_the_plain_rounds()
    {
        await using var federation = await FederationCluster.StartAsync(configureHospital: DemoSizedHospital);
        await federation.AdmitAllAsync();
        var fingerprint = (await federation.Aggregator.GetFederationAsync()).PublicSetFingerprint;
        var archive = new ArtifactArchive(federation.SiloOf("aggregator").ServiceProvider);
        var log = federation.SiloOf("aggregator").ServiceProvider.GetRequiredService<RecordingLoggerProvider>();
        foreach (var strategy in new[] { "fixed-weights", "per-class-weighted" })
        {
            var settings = new RoundSettings { Strategy = strategy, Quorum = 3, DeadlineSeconds = 600, StudentEpochs = 1, LogitsDType = "float32" };
            var logBefore = log.Count;
            var secure = await federation.WaitForEndAsync((await federation.Aggregator.StartRoundAsync(settings with { SecureSummation = true })).Round, RoundTimeout);
            Assert.True(secure.State == RoundState.Completed, $"{strategy}: the secure round ended {secure.State.ToName()}: {secure.FailureReason}");
            Assert.Equal(federation.Hospitals.Order(), secure.Uploaded.Order());
            var logged = log.Since(logBefore);
            var plain = await federation.WaitForEndAsync((await federation.Aggregator.StartRoundAsync(settings)).Round, RoundTimeout);
            Assert.Equal(RoundState.Completed, plain.State);

            var plainEnsemble = SoftLabelsCodec.DecodeConsensus((await archive.GetAsync(FederationCluster.FederationName, $"consensus/{plain.Round}"))!, fingerprint, FederationCluster.PublicExamples, Classes);
            var secureEnsemble = SoftLabelsCodec.DecodeConsensus((await archive.GetAsync(FederationCluster.FederationName, $"consensus/{secure.Round}"))!, fingerprint, FederationCluster.PublicExamples, Classes);
            var largest = plainEnsemble.Zip(secureEnsemble, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"{strategy}: largest difference between the plain and the secure ensemble: {largest:E2}");
            Assert.True(largest <= 1e-4, $"{strategy}: the secure ensemble differs from the plain one by up to {largest}");

            // The counts the hospitals report in the clear after the rounds call for the scale the signed keys stated.
            var participants = await federation.Aggregator.ListParticipantsAsync();
            var exponent = participants.Max(p => SecureRoundParameters.WeightExponent(settings, federation.Hospitals.Count, p.LastReport!.Teachers));
            output.WriteLine($"{strategy}: weight scale 2^{exponent}");
            Assert.Contains(logged, message => message.Contains($"Round {secure.Round}: secure summation's weight scale is 2^{exponent} =", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(await federation.Aggregator.ListRejectionsAsync(), refusal => refusal.Reason == "sums-out-of-range");
    }

    /// <summary>
    /// The safety net: hospital-3's teacher trained with a learning rate of 10, so its logits are
    /// finite but far beyond the ±64 the weight scale leaves room for. It refuses to upload
    /// with <c>sums-out-of-range</c>, which the aggregator records, instead of uploading clipped sums
    /// that would make the round's sum silently wrong; the round completes at its deadline from the
    /// other two, whose shares rebuild hospital-3's masks.
    /// </summary>
    [Fact]
    public async Task Sums_beyond_the_ring_are_refused_with_a_recorded_reason_and_the_round_completes_without_them()
    {
        await using var federation = await FederationCluster.StartAsync(configureHospital: (index, options) =>
        {
            if (index == 2) options.Teachers[0].LearningRate = 10;
        });
        await federation.AdmitAllAsync();
        var settings = new RoundSettings { Strategy = "fixed-weights", Quorum = 2, DeadlineSeconds = 600, StudentEpochs = 1, SecureSummation = true };
        var round = await federation.Aggregator.StartRoundAsync(settings);

        var deadline = DateTime.UtcNow + RoundTimeout;
        IReadOnlyList<RejectionInfo> refusals;
        while ((refusals = (await federation.Aggregator.ListRejectionsAsync()).Where(r => r.Reason == "sums-out-of-range").ToList()).Count < 1)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("hospital-3 never refused.");
            await Task.Delay(50);
        }
        var refusal = Assert.Single(refusals);
        Assert.Equal("hospital-3", refusal.ParticipantId);
        Assert.Equal(round.Round, refusal.Round);
        Assert.Contains("clip bound ±5461", refusal.Detail);
        await federation.WaitForAsync(round.Round, r => r.Uploaded.Count == 2, RoundTimeout);
        federation.Time.Advance(TimeSpan.FromSeconds(601));
        var done = await federation.WaitForEndAsync(round.Round, RoundTimeout);

        Assert.True(done.State == RoundState.Completed, $"the round ended {done.State.ToName()}: {done.FailureReason}");
        Assert.Equal(["hospital-1", "hospital-2"], done.Uploaded.Order());
    }

    /// <summary>Hospital-3 shares its keys and then its silo dies: the round completes from the two survivors, whose shares rebuild its masks.</summary>
    [Fact]
    public async Task A_secure_round_completes_from_the_survivors_shares_when_a_hospital_drops_out_after_sharing()
    {
        // Hospital-3 trains long enough (after sharing its keys) for the test to kill it mid-training.
        await using var federation = await FederationCluster.StartAsync(configureHospital: (index, options) =>
        {
            if (index == 2) (options.Teachers[0].Epochs, options.Teachers[0].BatchSize) = (100, 16);
        });
        await federation.AdmitAllAsync();
        var round = await federation.Aggregator.StartRoundAsync(new RoundSettings { Strategy = "mean-probabilities", Quorum = 2, DeadlineSeconds = 600, StudentEpochs = 1, SecureSummation = true });

        await WaitForStatusAsync(federation, "hospital-3", "training");
        await federation.Cluster.KillSiloAsync(federation.SiloOf("hospital-3"));
        var uploaded = await federation.WaitForAsync(round.Round, r => r.Uploaded.Count == 2, RoundTimeout);
        Assert.Equal(RoundState.Open, uploaded.State);
        federation.Time.Advance(TimeSpan.FromSeconds(601));
        var done = await federation.WaitForEndAsync(round.Round, RoundTimeout);

        Assert.True(done.State == RoundState.Completed, $"round ended {done.State.ToName()}: {done.FailureReason}");
        Assert.Equal(["hospital-1", "hospital-2"], done.Uploaded.Order());
        // The unmasked sum of mean-probabilities: each teacher's probabilities, its weight 1, the
        // teacher count. Every row sums to 2 and the count is 2 only if hospital-3's masks were all removed.
        var archive = new ArtifactArchive(federation.SiloOf("aggregator").ServiceProvider);
        var sum = MemoryMarshal.Cast<byte, double>((await archive.GetAsync(FederationCluster.FederationName, $"sums/{round.Round}"))!).ToArray();
        Assert.Equal(FederationCluster.PublicExamples * Classes + 2, sum.Length);
        Assert.Equal(2.0, sum[^1], 1e-3);
        Assert.Equal(2.0, sum[^2], 1e-3);
        for (var row = 0; row < FederationCluster.PublicExamples; row++)
            Assert.Equal(2.0, sum.AsSpan(row * Classes, Classes).ToArray().Sum(), 1e-3);
        Assert.NotNull(await archive.GetAsync(FederationCluster.FederationName, $"consensus/{round.Round}"));
    }

    /// <summary>
    /// Hospital-3's silo is down when a secure round opens: without its keys the round fails at the
    /// deadline, saying so, and the organizations that waited for the key list take the next round.
    /// </summary>
    [Fact]
    public async Task A_secure_round_fails_without_every_organizations_keys_and_the_next_round_runs()
    {
        await using var federation = await FederationCluster.StartAsync();
        await federation.AdmitAllAsync();
        await federation.Cluster.KillSiloAsync(federation.SiloOf("hospital-3"));
        var secure = await federation.Aggregator.StartRoundAsync(new RoundSettings { Quorum = 2, DeadlineSeconds = 60, StudentEpochs = 1, SecureSummation = true });
        // Both survivors' keys accepted (a hospital reports "sharing-keys" before it has counted its
        // examples and advertised), then the deadline passes without hospital-3's.
        var log = federation.SiloOf("aggregator").ServiceProvider.GetRequiredService<RecordingLoggerProvider>();
        var deadline = DateTime.UtcNow + RoundTimeout;
        while (!log.Since(0).Any(line => line.Contains($"Round {secure.Round}: secure summation keys: 2 of 3", StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The aggregator never accepted two organizations' keys.");
            await Task.Delay(25);
        }

        federation.Time.Advance(TimeSpan.FromSeconds(61));
        var failed = await federation.WaitForEndAsync(secure.Round, RoundTimeout);

        Assert.Equal(RoundState.Failed, failed.State);
        Assert.Equal("secure summation: only 2 of 3 organizations advertised keys by the deadline", failed.FailureReason);
        Assert.Empty(failed.Uploaded);

        var next = await federation.Aggregator.StartRoundAsync(new RoundSettings { Quorum = 2, DeadlineSeconds = 60, StudentEpochs = 1 });
        await federation.WaitForAsync(next.Round, r => r.Uploaded.Count == 2, RoundTimeout);
        federation.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(RoundState.Completed, (await federation.WaitForEndAsync(next.Round, RoundTimeout)).State);
    }

    /// <summary>Median and trimmed mean are order statistics, not sums: a secure round with either is refused before it opens.</summary>
    [Fact]
    public async Task A_secure_round_with_a_strategy_that_is_not_a_sum_is_refused()
    {
        await using var federation = await FederationCluster.StartAsync(hospitals: 2);
        await federation.AdmitAllAsync();
        foreach (var strategy in new[] { "median", "trimmed-mean" })
        {
            var refused = await Assert.ThrowsAsync<FederationException>(() => federation.Aggregator.StartRoundAsync(new RoundSettings { Strategy = strategy, SecureSummation = true, Quorum = 2 }));
            Assert.Equal(FederationErrorKind.Invalid, refused.Kind);
            Assert.Equal("strategy-not-summable", refused.Reason);
            Assert.Contains($"'{strategy}'", refused.Message);
            Assert.Contains("order statistic", refused.Message);
        }

        Assert.Empty(await federation.Aggregator.ListRoundsAsync());
    }

    // Demo-sized hospitals: 12,000, 16,000 and 21,000 private examples (disjoint, unskewed), one quick epoch.
    private static void DemoSizedHospital(int index, OrganizationOptions options)
    {
        int[] sizes = [12_000, 16_000, 21_000];
        options.PrivateData = new Distillation.Federated.PrivateDataSpec(Start: sizes.Take(index).Sum(), Count: sizes[index], Partitioner: "iid", Parts: 1, Index: 0, MinPartSize: 1);
        options.Teachers[0].Epochs = 1;
    }

    // A hospital's upload as the aggregator stored it: in a write named after the first organization it carried.
    private static async Task<byte[]> StoredUploadAsync(FederationCluster federation, ArtifactArchive archive, int round, string hospital)
    {
        var serializer = federation.SiloOf("aggregator").ServiceProvider.GetRequiredService<Orleans.Serialization.Serializer>();
        foreach (var name in federation.Hospitals.Select(h => UploadWriter.ArtifactName(round, h)))
        {
            if (await archive.GetAsync(FederationCluster.FederationName, name) is { } stored && UploadWriter.Read(serializer, stored).Find(hospital) is { } payload) return payload;
        }

        throw new Xunit.Sdk.XunitException($"No stored write of round {round} carries {hospital}'s upload.");
    }

    private static async Task WaitForStatusAsync(FederationCluster federation, string participant, string status)
    {
        var deadline = DateTime.UtcNow + RoundTimeout;
        while ((await federation.Aggregator.ListParticipantsAsync()).Single(p => p.ParticipantId == participant).LastReport?.Status != status)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"'{participant}' never reported '{status}'.");
            await Task.Delay(25);
        }
    }

    // The sums an organization with this one teacher masks (the strategy's accumulator, exported).
    private static float[] OwnSums(RoundSettings settings, string hospital, DecodedTeacherLogits teacher, int validationExamples)
    {
        using var scope = torch.NewDisposeScope();
        using var accumulator = SecureRoundParameters.BeginSummable(settings, FederationCluster.PublicExamples, Classes);
        var labels = new FedDistill.Grains.Federation.PublicSetCatalog(null).Get(new PublicSetSpec(Start: 50_000, Count: FederationCluster.PublicExamples, AugmentedCopies: 0))
            .Originals.Labels!.Take(validationExamples).ToArray();
        accumulator.Add(TeacherContributions.Create(hospital, teacher, Classes, labels).Contribution);
        return accumulator.ExportSums();
    }

    // fp32, fp16 and the fixed-point encodings (the round's ring and the standard one) of the values.
    private static IEnumerable<byte[]> Representations(float[] values, FixedPointRing ring)
    {
        yield return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        yield return MemoryMarshal.AsBytes(values.Select(v => (Half)v).ToArray().AsSpan()).ToArray();
        foreach (var encoding in new[] { ring, FixedPointRing.Standard })
        {
            var encoded = new uint[values.Length];
            encoding.Encode(values, encoded);
            yield return MemoryMarshal.AsBytes(encoded.AsSpan()).ToArray();
        }
    }

    // Every 16-byte run at every byte offset of the secrets, except runs of one repeated byte.
    private static HashSet<(ulong, ulong)> Windows(IEnumerable<byte[]> secrets)
    {
        var windows = new HashSet<(ulong, ulong)>();
        foreach (var secret in secrets)
            for (var i = 0; i + 16 <= secret.Length; i++)
            {
                var run = secret.AsSpan(i, 16);
                if (run.IndexOfAnyExcept(run[0]) < 0) continue;
                windows.Add((BitConverter.ToUInt64(run), BitConverter.ToUInt64(run[8..])));
            }
        return windows;
    }

    private static bool Holds(byte[] stored, HashSet<(ulong, ulong)> windows)
    {
        for (var i = 0; i + 16 <= stored.Length; i++)
            if (windows.Contains((BitConverter.ToUInt64(stored, i), BitConverter.ToUInt64(stored, i + 8)))) return true;
        return false;
    }
}
