using FedDistill.Federation.Tests.Support;
using FedDistill.Grains.Protocol;

namespace FedDistill.Federation.Tests;

/// <summary>
/// What the aggregator decides, seen from another process through its gateway: a round that
/// misses its quorum, and refusals that cross the process boundary with their kind, reason and
/// message intact and leave the federation as it was.
/// </summary>
[Trait("Tier", "Slow")]
[Collection(HospitalFederationCollection.Name)]
public sealed class AggregatorDecisionTests(HospitalFederationFixture fixture)
{
    /// <summary>
    /// A fourth participant is admitted but its silo never runs: the three hospitals upload, the
    /// round (quorum 4) waits for the fourth until its deadline, then fails and says why.
    /// </summary>
    [Fact]
    public async Task A_round_without_its_quorum_by_the_deadline_fails_and_says_why()
    {
        var failed = await fixture.WithAbsentParticipantAsync("hospital-4",
            () => fixture.RunRoundAsync(new RoundSettings { Quorum = 4, DeadlineSeconds = 20, StudentEpochs = 1 }));
        Assert.True(failed.State == RoundState.Failed, $"round {failed.Round} ended {failed.State}: {failed.FailureReason}");
        Assert.Contains($"quorum not reached: {failed.Uploaded.Count} of 4", failed.FailureReason, StringComparison.Ordinal);
        Assert.DoesNotContain("hospital-4", failed.Uploaded);
        Assert.Null(failed.Result);
        Assert.True(failed.ClosedAt >= failed.Deadline, $"closed at {failed.ClosedAt:O}, before the deadline {failed.Deadline:O}");
    }

    /// <summary>
    /// Bad round settings (each bad setting named), a duplicate or malformed admission, an unknown
    /// round, participant or student, and an upload in a hospital's name from outside its client
    /// grain are each refused with a <see cref="FederationException"/> whose kind and reason survive
    /// the trip from the silo; afterwards the rounds and participants are exactly as before.
    /// </summary>
    [Fact]
    public async Task Bad_admin_input_is_refused_with_its_kind_and_reason_across_the_process_boundary_and_changes_nothing()
    {
        var admin = fixture.Federation.Admin;
        var roundsBefore = Describe(await admin.ListRoundsAsync());
        var participantsBefore = Describe(await admin.ListParticipantsAsync());

        var settings = await Refused(() => admin.StartRoundAsync(new RoundSettings { Strategy = "best-guess", Quorum = 0, LogitsDType = "int8" }),
            FederationErrorKind.Invalid, "bad-settings");
        Assert.Contains("RoundSettings.Strategy", settings.Message, StringComparison.Ordinal);
        Assert.Contains("RoundSettings.Quorum", settings.Message, StringComparison.Ordinal);
        Assert.Contains("RoundSettings.LogitsDType", settings.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RoundSettings.Temperature", settings.Message, StringComparison.Ordinal);

        var duplicate = await Refused(() => admin.AdmitAsync(new RegisterParticipantRequest("hospital-1")), FederationErrorKind.Conflict, "participant-exists");
        Assert.Contains("hospital-1", duplicate.Message, StringComparison.Ordinal);
        await Refused(() => admin.AdmitAsync(new RegisterParticipantRequest("Hospital One!")), FederationErrorKind.Invalid, "bad-participant-id");
        await Refused(() => admin.AdmitAsync(new RegisterParticipantRequest("aggregator")), FederationErrorKind.Invalid, "bad-participant-id");
        var unknown = await Refused(() => admin.GetRoundAsync(999), FederationErrorKind.NotFound, "unknown-round");
        Assert.Contains("999", unknown.Message, StringComparison.Ordinal);
        await Refused(() => admin.CancelRoundAsync(999), FederationErrorKind.NotFound, "unknown-round");
        await Refused(() => admin.RemoveParticipantAsync("hospital-9"), FederationErrorKind.NotFound, "unknown-participant");
        await Refused(async () => { await foreach (var _ in admin.ReadStudentAsync(999)) { } }, FederationErrorKind.NotFound, "no-student");
        // The console is not hospital-1's client grain, whatever the chunk claims.
        await Refused(() => admin.AppendUploadAsync(new UploadChunk("hospital-1", 1, 0, [1, 2, 3])), FederationErrorKind.Forbidden, "impersonation");

        Assert.Equal(roundsBefore, Describe(await admin.ListRoundsAsync()));
        Assert.Equal(participantsBefore, Describe(await admin.ListParticipantsAsync()));
    }

    private static async Task<FederationException> Refused(Func<Task> call, FederationErrorKind kind, string reason)
    {
        var refused = await Assert.ThrowsAsync<FederationException>(call);
        Assert.Equal(kind, refused.Kind);
        Assert.Equal(reason, refused.Reason);
        Assert.False(string.IsNullOrWhiteSpace(refused.Message));
        return refused;
    }

    private static string Describe(IEnumerable<RoundInfo> rounds) =>
        string.Join("; ", rounds.Select(r => $"{r.Round} {r.State} [{string.Join(",", r.Uploaded)}] {r.FailureReason}"));

    private static string Describe(IEnumerable<ParticipantInfo> participants) =>
        string.Join("; ", participants.Select(p => $"{p.ParticipantId} {p.DisplayName} {p.RegisteredAt:O}"));
}
