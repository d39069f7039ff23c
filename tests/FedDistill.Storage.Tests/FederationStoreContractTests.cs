using FedDistill.Grains.Persistence;

namespace FedDistill.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IFederationStore"/> promises, run once per backend by a
/// subclass that says how to open a store over a fresh database of its own.
/// </summary>
public abstract class FederationStoreContractTests : IAsyncLifetime
{
    // Instants with a non-zero offset and ticks below the microsecond, so that a backend that
    // drops the offset's instant or rounds to microseconds fails.
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 22, 9, 30, 15, TimeSpan.FromHours(2)).AddTicks(1_234_567);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private IFederationStore? _store;

    /// <summary>Opens a new, uninitialized store over this test's database (the same one on every call).</summary>
    protected abstract IFederationStore CreateStore();

    protected CancellationToken Token => _timeout.Token;

    protected IFederationStore Store => _store ?? throw new InvalidOperationException("The store is opened in InitializeAsync.");

    public virtual async Task InitializeAsync()
    {
        _store = CreateStore();
        await _store.InitializeAsync(Token);
    }

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }
        _timeout.Dispose();
    }

    /// <summary>Disposes the store and opens a new one over the same database, as a restarted aggregator does.</summary>
    protected async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        _store = null;
        _store = CreateStore();
        await _store.InitializeAsync(Token);
    }

    private static DateTimeOffset At(int minutes) => T0.AddMinutes(minutes);

    private static FederationRecord Federation(string name = "breast-cancer-wisconsin") =>
        new(name, new string('a', 64), At(0), """{"publicSet":"wdbc-public","student":{"kind":"mlp","hidden":[64,32]}}""");

    private static ParticipantRecord Participant(string id, bool withOptionalFields = true) =>
        new(id, $"Hospital {id}", At(1),
            withOptionalFields ? At(2) : null,
            withOptionalFields ? """{"teachers":3,"examples":190,"classCounts":[120,70]}""" : null);

    private static RoundRecord OpenRound(int number) =>
        new(number, "open", """{"strategy":"mean","temperature":4.0,"quorum":2}""", At(10 * number), At(10 * number + 5), null, null, null);

    private static RoundRecord ClosedRound(int number) =>
        new(number, "failed", """{"strategy":"median","temperature":2.5}""", At(10 * number), At(10 * number + 5),
            At(10 * number + 7), """{"studentVersion":3,"accuracy":0.9561}""", "quorum not reached: 1 of 2 uploads");

    private static SubmissionRecord Submission(int round, string participantId, int variant = 0) =>
        new(round, participantId, Convert.ToHexStringLower(BitConverter.GetBytes((long)variant)).PadLeft(64, 'f'),
            1_000 + variant, At(20 + variant), $$"""{"dtype":"float32","variant":{{variant}}}""");

    // ---- federation ---------------------------------------------------------------------------

    [Fact]
    public async Task GetFederation_is_null_before_the_federation_is_first_saved()
    {
        Assert.Null(await Store.GetFederationAsync(Token));
    }

    [Fact]
    public async Task SaveFederation_round_trips_every_field()
    {
        var federation = Federation();
        await Store.SaveFederationAsync(federation, Token);
        Assert.Equal(federation, await Store.GetFederationAsync(Token));
    }

    [Fact]
    public async Task SaveFederation_replaces_the_previous_record()
    {
        await Store.SaveFederationAsync(Federation("first"), Token);
        var second = Federation("second") with { PublicSetFingerprint = new string('b', 64), CreatedAt = At(99), SettingsJson = "{}" };
        await Store.SaveFederationAsync(second, Token);
        Assert.Equal(second, await Store.GetFederationAsync(Token));
    }

    // ---- participants -------------------------------------------------------------------------

    [Fact]
    public async Task AddParticipant_round_trips_every_field()
    {
        var participant = Participant("hospital-a");
        Assert.True(await Store.AddParticipantAsync(participant, Token));
        Assert.Equal(participant, await Store.GetParticipantAsync("hospital-a", Token));
    }

    [Fact]
    public async Task AddParticipant_round_trips_a_participant_never_seen_and_without_a_report()
    {
        var participant = Participant("hospital-a", withOptionalFields: false);
        Assert.True(await Store.AddParticipantAsync(participant, Token));
        var stored = await Store.GetParticipantAsync("hospital-a", Token);
        Assert.Equal(participant, stored);
        Assert.Null(stored!.LastSeenAt);
        Assert.Null(stored.ReportJson);
    }

    [Fact]
    public async Task AddParticipant_refuses_a_taken_id_and_keeps_the_first_record()
    {
        var first = Participant("hospital-a");
        Assert.True(await Store.AddParticipantAsync(first, Token));
        Assert.False(await Store.AddParticipantAsync(first with { DisplayName = "Impostor", ReportJson = null }, Token));
        Assert.Equal([first], await Store.ListParticipantsAsync(Token));
    }

    [Fact]
    public async Task UpdateParticipant_replaces_every_field_including_clearing_optional_ones()
    {
        Assert.True(await Store.AddParticipantAsync(Participant("hospital-a"), Token));
        var updated = new ParticipantRecord("hospital-a", "Renamed hospital", At(50), null, null);
        Assert.True(await Store.UpdateParticipantAsync(updated, Token));
        Assert.Equal(updated, await Store.GetParticipantAsync("hospital-a", Token));

        var seen = updated with { LastSeenAt = At(60), ReportJson = """{"teachers":1}""" };
        Assert.True(await Store.UpdateParticipantAsync(seen, Token));
        Assert.Equal(seen, await Store.GetParticipantAsync("hospital-a", Token));
    }

    [Fact]
    public async Task UpdateParticipant_returns_false_for_an_unknown_participant_and_adds_nothing()
    {
        Assert.False(await Store.UpdateParticipantAsync(Participant("nobody"), Token));
        Assert.Empty(await Store.ListParticipantsAsync(Token));
    }

    [Fact]
    public async Task RemoveParticipant_removes_it_and_keeps_its_past_submissions()
    {
        Assert.True(await Store.AddParticipantAsync(Participant("hospital-a"), Token));
        Assert.True(await Store.AddParticipantAsync(Participant("hospital-b"), Token));
        Assert.True(await Store.AddRoundAsync(OpenRound(1), Token));
        var submission = Submission(1, "hospital-a");
        Assert.True(await Store.AddSubmissionAsync(submission, Token));

        Assert.True(await Store.RemoveParticipantAsync("hospital-a", Token));

        Assert.Null(await Store.GetParticipantAsync("hospital-a", Token));
        Assert.Equal(["hospital-b"], (await Store.ListParticipantsAsync(Token)).Select(p => p.ParticipantId));
        Assert.Equal([submission], await Store.ListSubmissionsAsync(1, Token));
    }

    [Fact]
    public async Task RemoveParticipant_returns_false_for_an_unknown_participant()
    {
        Assert.True(await Store.AddParticipantAsync(Participant("hospital-a"), Token));
        Assert.False(await Store.RemoveParticipantAsync("nobody", Token));
        Assert.Single(await Store.ListParticipantsAsync(Token));
    }

    [Fact]
    public async Task A_removed_participant_can_be_added_again()
    {
        Assert.True(await Store.AddParticipantAsync(Participant("hospital-a"), Token));
        Assert.True(await Store.RemoveParticipantAsync("hospital-a", Token));
        Assert.True(await Store.AddParticipantAsync(Participant("hospital-a", withOptionalFields: false), Token));
        Assert.Equal(Participant("hospital-a", withOptionalFields: false), await Store.GetParticipantAsync("hospital-a", Token));
    }

    [Fact]
    public async Task GetParticipant_returns_null_for_an_unknown_participant()
    {
        Assert.Null(await Store.GetParticipantAsync("nobody", Token));
    }

    [Fact]
    public async Task ListParticipants_orders_by_id_ordinally()
    {
        // Ordinal: upper case before lower case, a prefix before its extensions, and UTF-16
        // order for characters beyond U+FFFF (a surrogate, 0xD83D, sorts before U+FF21).
        string[] ids = ["b", "hospital-10", "Z", "a", "hospital-2", "a1", "B", "\uFF21", "\U0001F3E5", "é"];
        foreach (var id in ids)
        {
            Assert.True(await Store.AddParticipantAsync(Participant(id), Token));
        }
        var expected = ids.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, (await Store.ListParticipantsAsync(Token)).Select(p => p.ParticipantId));
    }

    // ---- rounds -------------------------------------------------------------------------------

    [Fact]
    public async Task AddRound_round_trips_every_field_of_a_closed_round()
    {
        var round = ClosedRound(int.MaxValue);
        Assert.True(await Store.AddRoundAsync(round, Token));
        Assert.Equal(round, await Store.GetRoundAsync(int.MaxValue, Token));
    }

    [Fact]
    public async Task AddRound_round_trips_a_running_round_without_close_time_result_or_failure()
    {
        var round = OpenRound(1);
        Assert.True(await Store.AddRoundAsync(round, Token));
        var stored = await Store.GetRoundAsync(1, Token);
        Assert.Equal(round, stored);
        Assert.Null(stored!.ClosedAt);
        Assert.Null(stored.ResultJson);
        Assert.Null(stored.FailureReason);
    }

    [Fact]
    public async Task AddRound_refuses_a_taken_number_and_keeps_the_first_record()
    {
        var first = OpenRound(1);
        Assert.True(await Store.AddRoundAsync(first, Token));
        Assert.False(await Store.AddRoundAsync(ClosedRound(1), Token));
        Assert.Equal([first], await Store.ListRoundsAsync(Token));
    }

    [Fact]
    public async Task UpdateRound_replaces_every_field()
    {
        Assert.True(await Store.AddRoundAsync(OpenRound(1), Token));
        var closed = ClosedRound(1);
        Assert.True(await Store.UpdateRoundAsync(closed, Token));
        Assert.Equal(closed, await Store.GetRoundAsync(1, Token));

        var reopened = OpenRound(1) with { State = "collecting" };
        Assert.True(await Store.UpdateRoundAsync(reopened, Token));
        Assert.Equal(reopened, await Store.GetRoundAsync(1, Token));
    }

    [Fact]
    public async Task UpdateRound_returns_false_for_an_unknown_round_and_adds_nothing()
    {
        Assert.False(await Store.UpdateRoundAsync(OpenRound(7), Token));
        Assert.Empty(await Store.ListRoundsAsync(Token));
    }

    [Fact]
    public async Task GetRound_returns_null_for_an_unknown_round()
    {
        Assert.True(await Store.AddRoundAsync(OpenRound(1), Token));
        Assert.Null(await Store.GetRoundAsync(2, Token));
    }

    [Fact]
    public async Task ListRounds_orders_by_number()
    {
        foreach (var number in new[] { 3, 10, 1, 2 })
        {
            Assert.True(await Store.AddRoundAsync(OpenRound(number), Token));
        }
        Assert.Equal([1, 2, 3, 10], (await Store.ListRoundsAsync(Token)).Select(r => r.RoundNumber));
    }

    // ---- submissions --------------------------------------------------------------------------

    [Fact]
    public async Task AddSubmission_round_trips_every_field()
    {
        var submission = Submission(1, "hospital-a") with { Bytes = long.MaxValue };
        Assert.True(await Store.AddSubmissionAsync(submission, Token));
        Assert.Equal([submission], await Store.ListSubmissionsAsync(1, Token));
    }

    [Fact]
    public async Task AddSubmission_refuses_a_second_upload_from_the_same_participant_and_keeps_the_first()
    {
        var first = Submission(1, "hospital-a", variant: 1);
        Assert.True(await Store.AddSubmissionAsync(first, Token));
        Assert.False(await Store.AddSubmissionAsync(Submission(1, "hospital-a", variant: 2), Token));
        Assert.Equal([first], await Store.ListSubmissionsAsync(1, Token));
    }

    [Fact]
    public async Task AddSubmission_accepts_the_same_participant_in_another_round()
    {
        Assert.True(await Store.AddSubmissionAsync(Submission(1, "hospital-a", variant: 1), Token));
        Assert.True(await Store.AddSubmissionAsync(Submission(2, "hospital-a", variant: 2), Token));
        Assert.Equal([Submission(2, "hospital-a", variant: 2)], await Store.ListSubmissionsAsync(2, Token));
    }

    [Fact]
    public async Task ListSubmissions_lists_only_that_rounds_submissions_in_the_order_they_were_accepted()
    {
        // Acceptance order differs from both id order and AcceptedAt order.
        var accepted = new[]
        {
            Submission(1, "hospital-c", variant: 5),
            Submission(1, "hospital-a", variant: 9),
            Submission(1, "hospital-b", variant: 1),
        };
        Assert.True(await Store.AddSubmissionAsync(accepted[0], Token));
        Assert.True(await Store.AddSubmissionAsync(Submission(2, "hospital-a", variant: 3), Token));
        Assert.True(await Store.AddSubmissionAsync(accepted[1], Token));
        Assert.True(await Store.AddSubmissionAsync(accepted[2], Token));

        Assert.Equal(accepted, await Store.ListSubmissionsAsync(1, Token));
    }

    [Fact]
    public async Task ListSubmissions_of_a_round_without_uploads_is_empty()
    {
        Assert.True(await Store.AddSubmissionAsync(Submission(1, "hospital-a"), Token));
        Assert.Empty(await Store.ListSubmissionsAsync(2, Token));
    }

    [Fact]
    public async Task AddSubmission_accepts_exactly_one_of_many_concurrent_uploads_from_the_same_participant()
    {
        const int uploads = 32;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, uploads)
            .Select(variant => Task.Run(async () =>
            {
                await go.Task;
                return (Variant: variant, Accepted: await Store.AddSubmissionAsync(Submission(1, "hospital-a", variant), Token));
            }))
            .ToArray();
        go.SetResult();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, result => result.Accepted);
        Assert.Equal([Submission(1, "hospital-a", winner.Variant)], await Store.ListSubmissionsAsync(1, Token));
    }

    [Fact]
    public async Task AddSubmission_accepts_every_concurrent_upload_from_different_participants()
    {
        const int participants = 24;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, participants)
            .Select(index => Task.Run(async () =>
            {
                await go.Task;
                return await Store.AddSubmissionAsync(Submission(1, $"hospital-{index:D2}", index), Token);
            }))
            .ToArray();
        go.SetResult();

        Assert.All(await Task.WhenAll(attempts), Assert.True);
        var stored = await Store.ListSubmissionsAsync(1, Token);
        Assert.Equal(
            Enumerable.Range(0, participants).Select(index => Submission(1, $"hospital-{index:D2}", index)),
            stored.OrderBy(s => s.ParticipantId, StringComparer.Ordinal));
    }

    [Fact]
    public async Task AddRound_accepts_exactly_one_of_many_concurrent_adds_of_the_same_number()
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, 16)
            .Select(_ => Task.Run(async () => { await go.Task; return await Store.AddRoundAsync(OpenRound(1), Token); }))
            .ToArray();
        go.SetResult();

        Assert.Single(await Task.WhenAll(attempts), accepted => accepted);
        Assert.Single(await Store.ListRoundsAsync(Token));
    }

    // ---- rejections ---------------------------------------------------------------------------

    [Fact]
    public async Task AddRejection_round_trips_every_field_including_unknown_sender_and_round()
    {
        var known = new RejectionRecord(At(1), "hospital-a", 3, "wrong-shape", "expected 569 x 2 logits, got 569 x 3");
        var anonymous = new RejectionRecord(At(2), null, null, "no-certificate", "a client certificate is required");
        await Store.AddRejectionAsync(known, Token);
        await Store.AddRejectionAsync(anonymous, Token);
        Assert.Equal([anonymous, known], await Store.ListRejectionsAsync(10, Token));
    }

    [Fact]
    public async Task ListRejections_returns_the_newest_first_and_at_most_the_limit()
    {
        // Recorded out of time order; two share a time, the later recorded of them is "newer".
        var rejections = new[]
        {
            new RejectionRecord(At(3), "p3", 1, "late", "after the deadline"),
            new RejectionRecord(At(1), "p1", 1, "late", "after the deadline"),
            new RejectionRecord(At(5), "p5a", 1, "late", "after the deadline"),
            new RejectionRecord(At(5), "p5b", 1, "late", "after the deadline"),
            new RejectionRecord(At(4), "p4", 1, "late", "after the deadline"),
        };
        foreach (var rejection in rejections)
        {
            await Store.AddRejectionAsync(rejection, Token);
        }

        Assert.Equal(["p5b", "p5a", "p4"], (await Store.ListRejectionsAsync(3, Token)).Select(r => r.ParticipantId));
        Assert.Equal(["p5b"], (await Store.ListRejectionsAsync(1, Token)).Select(r => r.ParticipantId));
        Assert.Equal(["p5b", "p5a", "p4", "p3", "p1"], (await Store.ListRejectionsAsync(100, Token)).Select(r => r.ParticipantId));
    }

    [Fact]
    public async Task ListRejections_of_an_empty_store_is_empty()
    {
        Assert.Empty(await Store.ListRejectionsAsync(5, Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task ListRejections_refuses_a_limit_below_one(int limit)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListRejectionsAsync(limit, Token));
    }

    // ---- values, restarts, lifecycle ----------------------------------------------------------

    [Fact]
    public async Task Instants_come_back_as_the_same_instant_to_the_tick_in_utc()
    {
        var instants = new[]
        {
            T0,
            new DateTimeOffset(2026, 3, 29, 1, 59, 59, TimeSpan.FromHours(-9.5)).AddTicks(1),
            DateTimeOffset.UnixEpoch,
            DateTimeOffset.MinValue,
            DateTimeOffset.MaxValue,
        };
        for (var i = 0; i < instants.Length; i++)
        {
            Assert.True(await Store.AddParticipantAsync(new ParticipantRecord($"p{i}", "p", instants[i], instants[i], null), Token));
        }

        var stored = await Store.ListParticipantsAsync(Token);
        for (var i = 0; i < instants.Length; i++)
        {
            Assert.Equal(instants[i].UtcTicks, stored[i].RegisteredAt.UtcTicks);
            Assert.Equal(instants[i].UtcTicks, stored[i].LastSeenAt!.Value.UtcTicks);
            Assert.Equal(TimeSpan.Zero, stored[i].RegisteredAt.Offset);
        }
    }

    [Fact]
    public async Task Text_round_trips_byte_for_byte_including_empty_strings_and_non_ascii()
    {
        // JSON is opaque: key order, spacing and escapes must come back untouched.
        const string json = "{ \"b\" : 1,\n  \"a\":\"\\u00e9 é 🏥 \\\"quoted\\\"\" }";
        var participant = new ParticipantRecord("hôpital-ünïcödé-🏥", "", At(0), null, "");
        var round = new RoundRecord(1, "open", json, At(0), At(1), null, "", "");
        Assert.True(await Store.AddParticipantAsync(participant, Token));
        Assert.True(await Store.AddRoundAsync(round, Token));

        var storedParticipant = await Store.GetParticipantAsync("hôpital-ünïcödé-🏥", Token);
        Assert.Equal(participant, storedParticipant);
        Assert.Equal("", storedParticipant!.ReportJson);
        var storedRound = await Store.GetRoundAsync(1, Token);
        Assert.Equal(round, storedRound);
        Assert.Equal(json, storedRound!.SettingsJson);
    }

    [Fact]
    public async Task Data_survives_disposing_and_reopening_the_store()
    {
        var federation = Federation();
        var participants = new[] { Participant("hospital-a"), Participant("hospital-b", withOptionalFields: false) };
        var rounds = new[] { ClosedRound(1), OpenRound(2) };
        var submissions = new[] { Submission(2, "hospital-b", 1), Submission(2, "hospital-a", 2) };
        var rejection = new RejectionRecord(At(30), "hospital-a", 2, "duplicate", "already uploaded in round 2");

        await Store.SaveFederationAsync(federation, Token);
        foreach (var participant in participants)
        {
            Assert.True(await Store.AddParticipantAsync(participant, Token));
        }
        foreach (var round in rounds)
        {
            Assert.True(await Store.AddRoundAsync(round, Token));
        }
        foreach (var submission in submissions)
        {
            Assert.True(await Store.AddSubmissionAsync(submission, Token));
        }
        await Store.AddRejectionAsync(rejection, Token);

        await ReopenAsync();

        Assert.Equal(federation, await Store.GetFederationAsync(Token));
        Assert.Equal(participants, await Store.ListParticipantsAsync(Token));
        Assert.Equal(rounds, await Store.ListRoundsAsync(Token));
        Assert.Equal(submissions, await Store.ListSubmissionsAsync(2, Token));
        Assert.Equal([rejection], await Store.ListRejectionsAsync(10, Token));
        // The uniqueness rules hold across the restart too.
        Assert.False(await Store.AddSubmissionAsync(Submission(2, "hospital-a", 3), Token));
        Assert.True(await Store.AddSubmissionAsync(Submission(3, "hospital-a", 3), Token));
    }

    [Fact]
    public async Task InitializeAsync_again_is_harmless_and_keeps_the_data()
    {
        Assert.True(await Store.AddParticipantAsync(Participant("hospital-a"), Token));
        await Store.InitializeAsync(Token);
        await Store.InitializeAsync(Token);
        Assert.Equal([Participant("hospital-a")], await Store.ListParticipantsAsync(Token));
    }

    [Fact]
    public async Task Calls_after_dispose_throw_ObjectDisposedException()
    {
        var store = Store;
        await store.DisposeAsync();
        await store.DisposeAsync(); // a second dispose is harmless
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ListRoundsAsync(Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AddRoundAsync(OpenRound(1), Token));
    }
}
