using System.Text.Json;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>
/// Every bad request to the aggregator is a <see cref="FederationException"/> with its kind and
/// reason, and leaves the federation's participants and rounds as they were.
/// </summary>
[Trait("Tier", "Slow")]
public sealed class AggregatorRefusalTests(RefusalFixture fixture) : IClassFixture<RefusalFixture>
{
    private const string Participant = RefusalFixture.Participant;

    private FederationCluster Federation => fixture.Federation;

    private IAggregatorGrain Aggregator => Federation.Aggregator;

    public static TheoryData<string> BadParticipantIds => new()
    {
        "",
        "Hospital-1",
        "-hospital",
        "hospital_1",
        "hospital/1",
        "hospital 1",
        "aggregator",
        new string('h', 64),
    };

    public static TheoryData<string, RoundSettings> BadSettings => new()
    {
        { "Strategy", new RoundSettings { Strategy = "best-teacher" } },
        { "Temperature", new RoundSettings { Temperature = 0 } },
        { "Temperature", new RoundSettings { Temperature = double.NaN } },
        { "Temperature", new RoundSettings { Temperature = double.PositiveInfinity } },
        { "Quorum", new RoundSettings { Quorum = 0 } },
        { "DeadlineSeconds", new RoundSettings { DeadlineSeconds = 0 } },
        { "DeadlineSeconds", new RoundSettings { DeadlineSeconds = 86_401 } },
        { "StudentEpochs", new RoundSettings { StudentEpochs = 0 } },
        { "StudentEpochs", new RoundSettings { StudentEpochs = 1_001 } },
        { "StudentLearningRate", new RoundSettings { StudentLearningRate = -1e-3 } },
        { "StudentLearningRate", new RoundSettings { StudentLearningRate = double.NaN } },
        { "FineTuneEpochs", new RoundSettings { FineTuneEpochs = -1 } },
        { "FineTuneEpochs", new RoundSettings { FineTuneEpochs = 101 } },
        { "RevisitEpochs", new RoundSettings { RevisitEpochs = -1 } },
        { "RevisitEpochs", new RoundSettings { RevisitEpochs = 101 } },
        { "LogitsDType", new RoundSettings { LogitsDType = "bfloat16" } },
        { "NoiseSigma", new RoundSettings { Strategy = RoundSettings.PrivateStrategy, NoiseSigma = 0 } },
        { "ThresholdSigma", new RoundSettings { Strategy = RoundSettings.PrivateStrategy, Threshold = 10, ThresholdSigma = -1 } },
    };

    /// <summary>An id that cannot be a silo name (or is the aggregator's) is refused as <c>bad-participant-id</c>.</summary>
    [Theory]
    [MemberData(nameof(BadParticipantIds))]
    public async Task Admitting_a_bad_participant_id_is_refused(string id)
    {
        var error = await RefusedUnchangedAsync(() => Aggregator.AdmitAsync(new RegisterParticipantRequest(id)));

        Assert.Equal(FederationErrorKind.Invalid, error.Kind);
        Assert.Equal("bad-participant-id", error.Reason);
    }

    /// <summary>A display name over 200 characters is refused as <c>bad-display-name</c>.</summary>
    [Fact]
    public async Task Admitting_with_an_overlong_display_name_is_refused()
    {
        var error = await RefusedUnchangedAsync(() => Aggregator.AdmitAsync(new RegisterParticipantRequest("hospital-4", new string('x', 201))));

        Assert.Equal(FederationErrorKind.Invalid, error.Kind);
        Assert.Equal("bad-display-name", error.Reason);
    }

    /// <summary>Admitting a participant twice is a conflict, and the first admission (its display name) stays.</summary>
    [Fact]
    public async Task Admitting_a_participant_twice_is_a_conflict()
    {
        var error = await RefusedUnchangedAsync(() => Aggregator.AdmitAsync(new RegisterParticipantRequest(Participant, "Impostor")));

        Assert.Equal(FederationErrorKind.Conflict, error.Kind);
        Assert.Equal("participant-exists", error.Reason);
        Assert.Equal("Hospital One", (await Aggregator.ListParticipantsAsync()).Single(p => p.ParticipantId == Participant).DisplayName);
    }

    /// <summary>Removing a participant that was never admitted is <c>unknown-participant</c>.</summary>
    [Fact]
    public async Task Removing_an_unknown_participant_is_not_found()
    {
        var error = await RefusedUnchangedAsync(() => Aggregator.RemoveParticipantAsync("hospital-5"));

        Assert.Equal(FederationErrorKind.NotFound, error.Kind);
        Assert.Equal("unknown-participant", error.Reason);
    }

    /// <summary>Each invalid setting is refused as <c>bad-settings</c> with a message naming it, and no round opens.</summary>
    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Starting_a_round_with_an_invalid_setting_is_refused_naming_it(string property, RoundSettings settings)
    {
        var error = await RefusedUnchangedAsync(() => Aggregator.StartRoundAsync(settings));

        Assert.Equal(FederationErrorKind.Invalid, error.Kind);
        Assert.Equal("bad-settings", error.Reason);
        Assert.Contains($"RoundSettings.{property} ", error.Message);
    }

    /// <summary>
    /// While a round runs, a second one is refused; its student cannot be read; unknown rounds are
    /// not found; once cancelled, it cannot be cancelled again and still has no student.
    /// </summary>
    [Fact]
    public async Task A_running_round_refuses_a_second_round_and_an_ended_round_refuses_cancel()
    {
        var round = (await Aggregator.StartRoundAsync(new RoundSettings { DeadlineSeconds = 3_600 })).Round;
        try
        {
            var running = await RefusedUnchangedAsync(() => Aggregator.StartRoundAsync(new RoundSettings()));
            Assert.Equal((FederationErrorKind.Conflict, "round-running"), (running.Kind, running.Reason));
            var noStudent = await RefusedUnchangedAsync(() => ReadStudentAsync(round));
            Assert.Equal((FederationErrorKind.NotFound, "no-student"), (noStudent.Kind, noStudent.Reason));
            Assert.Contains("open", noStudent.Message);
            var noConsensus = await RefusedUnchangedAsync(() => ReadConsensusAsync(round));
            Assert.Equal("no-student", noConsensus.Reason);
            var unknown = await RefusedUnchangedAsync(() => Aggregator.GetRoundAsync(round + 100));
            Assert.Equal((FederationErrorKind.NotFound, "unknown-round"), (unknown.Kind, unknown.Reason));
            var cancelUnknown = await RefusedUnchangedAsync(() => Aggregator.CancelRoundAsync(round + 100));
            Assert.Equal((FederationErrorKind.NotFound, "unknown-round"), (cancelUnknown.Kind, cancelUnknown.Reason));
            var zero = await RefusedUnchangedAsync(() => Aggregator.GetRoundAsync(0));
            Assert.Equal("unknown-round", zero.Reason);

            var cancelled = await Aggregator.CancelRoundAsync(round);
            Assert.Equal(RoundState.Cancelled, cancelled.State);

            var again = await RefusedUnchangedAsync(() => Aggregator.CancelRoundAsync(round));
            Assert.Equal((FederationErrorKind.Conflict, "round-closed"), (again.Kind, again.Reason));
            var stillNoStudent = await RefusedUnchangedAsync(() => ReadStudentAsync(round));
            Assert.Equal("no-student", stillNoStudent.Reason);
            Assert.Contains("cancelled", stillNoStudent.Message);
        }
        finally
        {
            await Federation.CancelIfRunningAsync(round);
        }
    }

    /// <summary>
    /// The cluster client calling an organization's methods for hospital-1 is not hospital-1's
    /// client grain: each call is <c>impersonation</c>, recorded among the rejections, and the
    /// participant's record (its last report) is untouched.
    /// </summary>
    [Fact]
    public async Task Acting_for_an_organization_from_outside_its_client_grain_is_impersonation()
    {
        var round = (await Aggregator.StartRoundAsync(new RoundSettings { DeadlineSeconds = 3_600 })).Round;
        try
        {
            var payload = new byte[] { 1, 2, 3 };
            List<Func<Task>> calls =
            [
                () => Aggregator.ReportAsync(Participant, new ParticipantReport("idle", [])),
                () => Aggregator.AppendUploadAsync(new UploadChunk(Participant, round, 0, payload)),
                () => Aggregator.CompleteUploadAsync(new UploadCompletion(Participant, round, payload.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(payload)))),
            ];

            foreach (var call in calls)
            {
                var error = await RefusedUnchangedAsync(call);
                Assert.Equal((FederationErrorKind.Forbidden, "impersonation"), (error.Kind, error.Reason));
                var rejection = (await Aggregator.ListRejectionsAsync())[0];
                Assert.Equal(("impersonation", Participant), (rejection.Reason, rejection.ParticipantId));
                Assert.Equal(error.Message, rejection.Detail);
            }

            Assert.Null((await Aggregator.ListParticipantsAsync()).Single(p => p.ParticipantId == Participant).LastReport);
            Assert.Empty((await Aggregator.GetRoundAsync(round)).Uploaded);
        }
        finally
        {
            await Federation.CancelIfRunningAsync(round);
        }
    }

    /// <summary>Acting for an organization that was never admitted is <c>unknown-participant</c>, recorded too.</summary>
    [Fact]
    public async Task Acting_for_an_organization_that_is_not_a_participant_is_forbidden()
    {
        var error = await RefusedUnchangedAsync(() => Aggregator.ReportAsync("hospital-5", new ParticipantReport("idle", [])));

        Assert.Equal((FederationErrorKind.Forbidden, "unknown-participant"), (error.Kind, error.Reason));
        var rejection = (await Aggregator.ListRejectionsAsync())[0];
        Assert.Equal(("unknown-participant", "hospital-5"), (rejection.Reason, rejection.ParticipantId));
    }

    /// <summary>Runs a call that must be refused and checks participants and rounds read the same before and after.</summary>
    private async Task<FederationException> RefusedUnchangedAsync(Func<Task> call)
    {
        var before = await SnapshotAsync();
        var error = await Assert.ThrowsAsync<FederationException>(call);
        Assert.Equal(before, await SnapshotAsync());
        return error;
    }

    private async Task<string> SnapshotAsync()
    {
        var participants = JsonSerializer.Serialize((await Aggregator.ListParticipantsAsync()).ToList(), ProtocolJsonContext.Default.ListParticipantInfo);
        var rounds = JsonSerializer.Serialize((await Aggregator.ListRoundsAsync()).ToList(), ProtocolJsonContext.Default.ListRoundInfo);
        return participants + "\n" + rounds;
    }

    private async Task ReadStudentAsync(int version)
    {
        await foreach (var _ in Aggregator.ReadStudentAsync(version)) { }
    }

    private async Task ReadConsensusAsync(int round)
    {
        await foreach (var _ in Aggregator.ReadConsensusAsync(null, round)) { }
    }
}
