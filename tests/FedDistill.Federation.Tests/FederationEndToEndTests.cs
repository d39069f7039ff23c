using System.Net;
using FedDistill.Client.Federation;
using FedDistill.Federation.Tests.Support;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.Protocol.Safetensors;
using FedDistill.Security;
using FedDistill.Transport;

namespace FedDistill.Federation.Tests;

/// <summary>
/// The federation end to end: an aggregator and participant silos as real processes on
/// loopback, mutual TLS with the federation's own CA, a real store. Subclassed once per store
/// backend so SQLite and PostgreSQL pass the same suite.
/// </summary>
public abstract class FederationEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(4);
    private readonly TemporaryDirectory _work = new();
    private readonly List<LocalFederation> _federations = [];

    /// <summary>The store provider name and connection string (null: the launcher's default) for one federation.</summary>
    protected abstract Task<(string Provider, string? ConnectionString)> CreateStoreAsync();

    /// <summary>Frees what <see cref="CreateStoreAsync"/> made.</summary>
    protected virtual Task DropStoresAsync() => Task.CompletedTask;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var federation in _federations) await federation.DisposeAsync();
        await DropStoresAsync();
        _work.Dispose();
    }

    [Fact]
    public async Task Rounds_over_mutual_TLS_distill_a_student_from_every_participant_then_co_distill()
    {
        var federation = await StartAsync(participants: 3);
        var first = await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 3, DeadlineSeconds = 240, StudentEpochs = 3 }, CancellationToken.None);
        Assert.Equal(RoundState.Open, first.State);

        var done = await WaitForAsync(federation, first.Round, round => round.State.IsFinal());
        Assert.True(done.State == RoundState.Completed, $"round 1 ended {done.State}: {done.FailureReason}\n{federation.Logs()}");
        Assert.Equal(federation.ParticipantIds.Order(), done.Uploaded.Order());
        var result = done.Result!;
        Assert.Equal(3, result.Teachers.Count);
        Assert.All(result.Teachers, teacher => Assert.InRange(teacher.Agreement, 0.0, 1.0));
        Assert.InRange(result.StudentAccuracy!.Value, 0.3, 1.0);
        Assert.True(result.UploadedBytes > 3 * SmallFederation.PublicExamples * SmallFederation.Classes, $"uploaded {result.UploadedBytes} bytes");

        var student = SafetensorsReader.Read(await federation.Admin.GetStudentAsync(1, CancellationToken.None));
        Assert.Contains(student.Entries, entry => entry.Shape.SequenceEqual(new long[] { SmallFederation.Classes }));
        var participants = await federation.Admin.ListParticipantsAsync(CancellationToken.None);
        Assert.All(participants, participant => Assert.Equal("mlp", Assert.Single(participant.LastReport!.Teachers).TeacherId));

        // A co-distillation round: every participant downloads round 1's consensus before uploading.
        var second = await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 3, DeadlineSeconds = 240, StudentEpochs = 2, FineTuneEpochs = 1 }, CancellationToken.None);
        var codistilled = await WaitForAsync(federation, second.Round, round => round.State.IsFinal());
        Assert.True(codistilled.State == RoundState.Completed, $"round 2 ended {codistilled.State}: {codistilled.FailureReason}\n{federation.Logs()}");
        Assert.True(codistilled.Result!.DownloadedBytes >= 3L * SmallFederation.PublicExamples * SmallFederation.Classes * 4, $"downloaded {codistilled.Result.DownloadedBytes} bytes");
        Assert.Equal(2, (await federation.Admin.GetFederationAsync(CancellationToken.None)).StudentVersion);
    }

    [Fact]
    public async Task Every_bad_upload_is_refused_with_its_reason_and_leaves_the_round_unchanged()
    {
        var federation = await StartAsync(participants: 2, startParticipants: false, unregistered: ["hospital-9"]);
        var info = await federation.Admin.GetFederationAsync(CancellationToken.None);
        var fingerprint = info.PublicSetFingerprint;
        var round = (await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 1, DeadlineSeconds = 600 }, CancellationToken.None)).Round;
        using var hospital1 = federation.CreateParticipantClient(0);
        using var stranger = federation.CreateClient("hospital-9");
        using var admin = federation.CreateClient("admin");
        using var anonymous = FederationHttpClientFactory.Create(federation.AggregatorUrl, null, FederationCertificates.LoadCertificate(federation.CaCertificatePath), ownsCertificates: true);
        const string me = "hospital-1";

        var nan = Uploads.Logits(SmallFederation.PublicExamples);
        nan[123] = float.NaN;
        var infinite = Uploads.Logits(SmallFederation.PublicExamples);
        infinite[7] = float.PositiveInfinity;
        var valid = Uploads.Valid(round, me, fingerprint);
        var cases = new (string Name, HttpClient Client, int Round, string Participant, byte[] Body, HttpStatusCode Status, string? Reason)[]
        {
            ("wrong shape", hospital1, round, me, Uploads.Valid(round, me, fingerprint, examples: SmallFederation.PublicExamples - 1), HttpStatusCode.BadRequest, "wrong-shape"),
            ("wrong dtype", hospital1, round, me, Uploads.WithTensor(round, me, fingerprint, Uploads.Float64Tensor(SmallFederation.PublicExamples)), HttpStatusCode.BadRequest, "wrong-dtype"),
            ("NaN", hospital1, round, me, SoftLabelsCodec.Encode(round, me, fingerprint, "float32", SmallFederation.Classes, [(Uploads.Report(), nan)]), HttpStatusCode.BadRequest, "non-finite"),
            ("infinity in float16", hospital1, round, me, SoftLabelsCodec.Encode(round, me, fingerprint, "float16", SmallFederation.Classes, [(Uploads.Report(), infinite)]), HttpStatusCode.BadRequest, "non-finite"),
            ("truncated body", hospital1, round, me, valid[..^100], HttpStatusCode.BadRequest, "malformed-safetensors"),
            ("oversized body", hospital1, round, me, Uploads.Valid(round, me, fingerprint, examples: 2_000), HttpStatusCode.RequestEntityTooLarge, "too-large"),
            ("lying header", hospital1, round, me, Uploads.LyingHeader(round, me, fingerprint), HttpStatusCode.BadRequest, "malformed-safetensors"),
            ("not safetensors", hospital1, round, me, "hello"u8.ToArray(), HttpStatusCode.BadRequest, "malformed-safetensors"),
            ("wrong fingerprint", hospital1, round, me, Uploads.Valid(round, me, new string('0', 64)), HttpStatusCode.BadRequest, "wrong-fingerprint"),
            ("metadata names another participant", hospital1, round, me, Uploads.Valid(round, "hospital-2", fingerprint), HttpStatusCode.BadRequest, "metadata-mismatch"),
            ("unknown round", hospital1, 99, me, Uploads.Valid(99, me, fingerprint), HttpStatusCode.NotFound, "unknown-round"),
            ("unknown participant", stranger, round, "hospital-9", Uploads.Valid(round, "hospital-9", fingerprint), HttpStatusCode.Forbidden, "unknown-participant"),
            ("impersonated participant", hospital1, round, "hospital-2", Uploads.Valid(round, "hospital-2", fingerprint), HttpStatusCode.Forbidden, null),
            ("admin posing as a participant", admin, round, me, valid, HttpStatusCode.Forbidden, null),
            ("no certificate", anonymous, round, me, valid, HttpStatusCode.Unauthorized, null),
        };
        foreach (var (name, client, targetRound, participant, body, status, reason) in cases)
        {
            using var response = await Uploads.PutAsync(client, targetRound, participant, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{name}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
            Assert.Contains("detail", text, StringComparison.Ordinal);
            if (reason is not null) Assert.True(text.Contains($"\"reason\":\"{reason}\"", StringComparison.Ordinal), $"{name}: expected reason {reason}: {text}");
            Assert.Empty((await federation.Admin.GetRoundAsync(round, CancellationToken.None)).Uploaded);
        }

        using (var accepted = await Uploads.PutAsync(hospital1, round, me, valid))
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        using (var duplicate = await Uploads.PutAsync(hospital1, round, me, valid))
        {
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
            Assert.Equal("duplicate", await Uploads.ReasonAsync(duplicate));
        }

        Assert.Equal([me], (await federation.Admin.GetRoundAsync(round, CancellationToken.None)).Uploaded);
        var cancelled = await federation.Admin.CancelRoundAsync(round, CancellationToken.None);
        Assert.Equal(RoundState.Cancelled, cancelled.State);
        using var hospital2 = federation.CreateParticipantClient(1);
        using var closed = await Uploads.PutAsync(hospital2, round, "hospital-2", Uploads.Valid(round, "hospital-2", fingerprint));
        Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode);
        Assert.Equal("round-closed", await Uploads.ReasonAsync(closed));
        Assert.Equal([me], (await federation.Admin.GetRoundAsync(round, CancellationToken.None)).Uploaded);
    }

    [Fact]
    public async Task Bad_round_settings_and_admin_calls_are_refused_with_the_setting_named()
    {
        var federation = await StartAsync(participants: 1, startParticipants: false);
        var refused = await Assert.ThrowsAsync<FederationException>(() =>
            federation.Admin.StartRoundAsync(new RoundSettings { Strategy = "best-guess", Quorum = 0 }, CancellationToken.None));
        Assert.Equal(FederationErrorKind.Invalid, refused.Kind);
        Assert.Contains("RoundSettings.Strategy", refused.Message, StringComparison.Ordinal);
        Assert.Contains("RoundSettings.Quorum", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await federation.Admin.ListRoundsAsync(CancellationToken.None));

        var duplicate = await Assert.ThrowsAsync<FederationException>(() =>
            federation.Admin.RegisterParticipantAsync(new RegisterParticipantRequest("hospital-1"), CancellationToken.None));
        Assert.Equal(FederationErrorKind.Conflict, duplicate.Kind);
        using var participant = new HttpAggregatorClientOwner(federation.CreateParticipantClient(0));
        var notAdmin = await Assert.ThrowsAsync<FederationException>(() =>
            participant.Client.StartRoundAsync(new RoundSettings(), CancellationToken.None));
        Assert.Equal(FederationErrorKind.Forbidden, notAdmin.Kind);
        Assert.Empty(await federation.Admin.ListRoundsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_participant_killed_mid_round_does_not_stop_the_round_once_the_quorum_is_in_and_rejoins_the_next()
    {
        var federation = await StartAsync(participants: 3);
        var first = await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 3, DeadlineSeconds = 240, StudentEpochs = 1 }, CancellationToken.None);
        var warmUp = await WaitForAsync(federation, first.Round, round => round.State.IsFinal());
        Assert.True(warmUp.State == RoundState.Completed, $"round 1 ended {warmUp.State}: {warmUp.FailureReason}\n{federation.Logs()}");

        // A co-distillation round with a long digest: hospital-3 is killed while it digests,
        // after it took the round's work and before it could upload. The other two digest as long
        // (40 epochs of 500 examples) and must upload before the deadline even on a busy CI
        // machine, where a small step runs at a few hundred examples per second.
        var second = await federation.Admin.StartRoundAsync(
            new RoundSettings { Quorum = 2, DeadlineSeconds = 90, StudentEpochs = 1, FineTuneEpochs = 40, RevisitEpochs = 0 }, CancellationToken.None);
        await WaitForReportAsync(federation, "hospital-3", report => report.Status == "digesting" && report.Round == second.Round);
        await federation.KillParticipantAsync(2);

        var done = await WaitForAsync(federation, second.Round, round => round.State.IsFinal());
        Assert.True(done.State == RoundState.Completed, $"round 2 ended {done.State}: {done.FailureReason}\n{federation.Logs()}");
        Assert.Equal(["hospital-1", "hospital-2"], done.Uploaded.Order());
        Assert.True(done.ClosedAt >= done.Deadline, $"closed at {done.ClosedAt:O}, before the deadline {done.Deadline:O}");

        federation.RestartParticipant(2);
        var third = await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 3, DeadlineSeconds = 180, StudentEpochs = 1 }, CancellationToken.None);
        var rejoined = await WaitForAsync(federation, third.Round, round => round.State.IsFinal());
        Assert.True(rejoined.State == RoundState.Completed, $"round 3 ended {rejoined.State}: {rejoined.FailureReason}\n{federation.Logs()}");
        Assert.Equal(federation.ParticipantIds.Order(), rejoined.Uploaded.Order());
    }

    [Fact]
    public async Task A_round_without_its_quorum_by_the_deadline_fails_and_says_why()
    {
        var federation = await StartAsync(participants: 2, startParticipants: false);
        var round = await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 2, DeadlineSeconds = 2 }, CancellationToken.None);
        var failed = await WaitForAsync(federation, round.Round, info => info.State.IsFinal());
        Assert.Equal(RoundState.Failed, failed.State);
        Assert.Contains("quorum not reached: 0 of 2", failed.FailureReason, StringComparison.Ordinal);
        Assert.Null(failed.Result);
    }

    [Fact]
    public async Task An_aggregator_killed_mid_round_resumes_it_without_losing_an_accepted_upload()
    {
        var federation = await StartAsync(participants: 2, startParticipants: false);
        var fingerprint = (await federation.Admin.GetFederationAsync(CancellationToken.None)).PublicSetFingerprint;
        var round = (await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = 2, DeadlineSeconds = 600, StudentEpochs = 1 }, CancellationToken.None)).Round;
        using (var hospital1 = federation.CreateParticipantClient(0))
        using (var accepted = await Uploads.PutAsync(hospital1, round, "hospital-1", Uploads.Valid(round, "hospital-1", fingerprint)))
        {
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        }

        await federation.RestartAggregatorAsync(CancellationToken.None);

        var resumed = await federation.Admin.GetRoundAsync(round, CancellationToken.None);
        Assert.Equal(RoundState.Open, resumed.State);
        Assert.Equal(["hospital-1"], resumed.Uploaded);
        using (var hospital1 = federation.CreateParticipantClient(0))
        using (var again = await Uploads.PutAsync(hospital1, round, "hospital-1", Uploads.Valid(round, "hospital-1", fingerprint)))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("duplicate", await Uploads.ReasonAsync(again));
        }

        using (var hospital2 = federation.CreateParticipantClient(1))
        using (var second = await Uploads.PutAsync(hospital2, round, "hospital-2", Uploads.Valid(round, "hospital-2", fingerprint)))
        {
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        }

        var done = await WaitForAsync(federation, round, info => info.State.IsFinal());
        Assert.True(done.State == RoundState.Completed, $"round ended {done.State}: {done.FailureReason}\n{federation.Logs()}");
        Assert.Equal(2, done.Result!.Teachers.Count);
        Assert.Equal(["hospital-1", "hospital-2"], done.Uploaded);
    }

    private async Task<LocalFederation> StartAsync(int participants, bool startParticipants = true, IReadOnlyList<string>? unregistered = null)
    {
        var (provider, connectionString) = await CreateStoreAsync();
        var federation = await LocalFederation.StartAsync(
            SmallFederation.Options(Path.Combine(_work.Path, $"federation-{_federations.Count}"), provider, connectionString, participants, startParticipants, unregistered),
            CancellationToken.None);
        _federations.Add(federation);
        return federation;
    }

    private static async Task WaitForReportAsync(LocalFederation federation, string participant, Func<ParticipantReport, bool> condition)
    {
        using var timeout = new CancellationTokenSource(RoundTimeout);
        ParticipantReport? last = null;
        while (!timeout.IsCancellationRequested)
        {
            var reports = await federation.Admin.ListParticipantsAsync(CancellationToken.None);
            last = reports.Single(p => p.ParticipantId == participant).LastReport;
            if (last is not null && condition(last)) return;
            await Task.Delay(50);
        }

        throw new TimeoutException($"{participant} never reported the awaited state; last: {last?.Status} (round {last?.Round}).\n{federation.Logs()}");
    }

    private static async Task<RoundInfo> WaitForAsync(LocalFederation federation, int round, Func<RoundInfo, bool> condition)
    {
        using var timeout = new CancellationTokenSource(RoundTimeout);
        while (true)
        {
            var info = await federation.Admin.GetRoundAsync(round, CancellationToken.None);
            if (condition(info)) return info;
            if (timeout.IsCancellationRequested)
                throw new TimeoutException($"Round {round} still {info.State} with uploads [{string.Join(", ", info.Uploaded)}] after {RoundTimeout.TotalMinutes} min.\n{federation.Logs()}");
            await Task.Delay(250);
        }
    }

    private sealed class HttpAggregatorClientOwner(HttpClient http) : IDisposable
    {
        public HttpAggregatorClient Client { get; } = new(http);

        public void Dispose() => http.Dispose();
    }
}
