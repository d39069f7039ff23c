using FedDistill.Grains.Protocol;
using FedDistill.Grains.Tests.Security;
using Microsoft.Extensions.DependencyInjection;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>
/// Round notifications through the aggregator's grain observer on a real cluster: what an
/// operator's console subscribed to a round hears, in order, and who may subscribe.
/// </summary>
[Trait("Tier", "Slow")]
public sealed class RoundObserverTests
{
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromMinutes(4);

    /// <summary>
    /// Proves a client's observer gets the round's life as it happens, numbered in the aggregator's
    /// order (Orleans may deliver one-way messages out of order): the subscription's snapshot
    /// (open), the teachers' training progress from the organizations while they train (before any
    /// upload), every accepted upload, the switch to distilling, each student epoch in order with
    /// the loss and accuracy the round records, the published student, then the completed state
    /// (the round's last change); and that a subscriber that has gone (its object deleted) neither blocks nor fails the round.
    /// </summary>
    [Fact]
    public async Task A_subscribed_observer_hears_progress_uploads_epochs_and_the_final_state_in_order()
    {
        // Teachers that train long enough for their progress to be reported (once a second) while
        // they train: 60 epochs took under a second on an idle machine, and no progress came.
        await using var federation = await FederationCluster.StartAsync(2, configureHospital: (_, hospital) => hospital.Teachers[0].Epochs = 300);
        await federation.AdmitAllAsync();
        var client = federation.Cluster.Client;
        var recorder = new RecordingRoundObserver();
        var observer = client.CreateObjectReference<IRoundObserver>(recorder);
        var gone = client.CreateObjectReference<IRoundObserver>(new RecordingRoundObserver());

        var started = await federation.Aggregator.StartRoundAsync(new RoundSettings { Quorum = 2, DeadlineSeconds = 600, StudentEpochs = 5 });
        var subscription = await federation.Aggregator.SubscribeAsync(observer, started.Round);
        //await federation.Aggregator.SubscribeAsync(gone, started.Round);
        //client.DeleteObjectReference<IRoundObserver>(gone);

        Assert.Equal(RoundState.Open, subscription.Round.State);
        Assert.Equal(federation.Hospitals, subscription.Participants.Select(p => p.ParticipantId));
        Assert.True(subscription.Expiry >= TimeSpan.FromSeconds(30), $"expiry {subscription.Expiry}");
        var done = await federation.WaitForEndAsync(started.Round, RoundTimeout);
        Assert.Equal(RoundState.Completed, done.State);
        var logs = federation.SiloOf("aggregator").ServiceProvider.GetRequiredService<RecordingLoggerProvider>();
        try
        {
            await recorder.WaitForAsync(n => n is RoundInfo { State: RoundState.Completed }, TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException missing)
        {
            throw new TimeoutException(missing.Message + "\n" + string.Join("\n", logs.Since(0).Where(line => line.Contains("subscriber", StringComparison.OrdinalIgnoreCase) || line.Contains("notify", StringComparison.OrdinalIgnoreCase) || line.Contains("entry", StringComparison.OrdinalIgnoreCase) || line.Contains("Exception", StringComparison.Ordinal) || line.Contains("Round", StringComparison.Ordinal)).TakeLast(60)));
        }

        var received = recorder.Received;
        // Numbered one by one from the subscription on: nothing lost, nothing twice.
        Assert.Equal(Enumerable.Range((int)subscription.Sequence + 1, received.Count).Select(n => (long)n), recorder.Sequences);
        // The round's states, as notified, in order: open with each upload added, distilling, completed last of all.
        var rounds = received.OfType<RoundInfo>().Where(r => r.Round == started.Round).ToList();
        Assert.Equal([RoundState.Open, RoundState.Open, RoundState.Distilling, RoundState.Completed], rounds.Select(r => r.State));
        Assert.Equal([1, 2, 2, 2], rounds.Select(r => r.Uploaded.Count));
        Assert.Equal(done.Result!.StudentSha256, rounds[^1].Result!.StudentSha256);

        var uploads = received.OfType<UploadAcceptedNotice>().ToList();
        Assert.Equal(federation.Hospitals.Order(), uploads.Select(u => u.ParticipantId).Order());
        Assert.Equal([1, 2], uploads.Select(u => u.Uploads));
        Assert.All(uploads, u => Assert.True(u.Bytes > 0 && u.Teachers == 1, $"{u.ParticipantId}: {u.Bytes} bytes, {u.Teachers} teachers"));

        // Training progress reached the observer while a teacher trained, before that hospital's upload
        // (a hospital whose training ends within the one-second report interval reports none, and
        // another's may upload first).
        var training = received.Select((notice, index) => (notice, index))
            .Where(item => item.notice is ParticipantProgressNotice { Report: { Status: "training", Progress: > 0 and < 1 } } progress && progress.Report.Round == started.Round
                && item.index < IndexOf(received, n => n is UploadAcceptedNotice upload && upload.ParticipantId == progress.ParticipantId))
            .Select(item => (ParticipantProgressNotice)item.notice).ToList();
        Assert.True(training.Count > 0, "no training progress before the hospital's upload: " + string.Join(", ", received.OfType<ParticipantProgressNotice>().Select(p => $"{p.ParticipantId} {p.Report.Status} {p.Report.Progress}")));
        foreach (var hospital in training.GroupBy(p => p.ParticipantId))
        {
            var fractions = hospital.Select(p => p.Report.Progress!.Value).ToList();
            Assert.Equal(fractions.Order(), fractions);
        }

        // Every epoch, in order, between distilling and the published student, as the round records them.
        var epochs = received.OfType<StudentEpochNotice>().ToList();
        Assert.Equal(Enumerable.Range(1, 5), epochs.Select(e => e.Metrics.Epoch));
        Assert.All(epochs, e => Assert.Equal(5, e.Epochs));
        Assert.Equal(done.Result.StudentEpochs!, epochs.Select(e => e.Metrics));
        Assert.All(epochs, e => Assert.NotNull(e.Metrics.Accuracy));
        var distilling = IndexOf(received, n => n is RoundInfo { State: RoundState.Distilling });
        var published = IndexOf(received, n => n is StudentPublishedNotice);
        Assert.True(distilling < IndexOf(received, n => n is StudentEpochNotice), "an epoch came before distilling");
        Assert.True(IndexOf(received, n => n is StudentEpochNotice { Metrics.Epoch: 5 }) < published, "the student was published before its last epoch");
        Assert.True(published < IndexOf(received, n => n is RoundInfo { State: RoundState.Completed }), "the published student came after the completed state: " + string.Join(", ", received.Select(Describe)));
        Assert.Equal(done.Result.StudentSha256, ((StudentPublishedNotice)received[published]).Result.StudentSha256);

        await federation.Aggregator.UnsubscribeAsync(observer);
        client.DeleteObjectReference<IRoundObserver>(observer);
    }

    /// <summary>
    /// Proves subscribing is the operator's only: a grain of no federation role is refused by the
    /// call filter (forbidden, naming it), and a subscription to an unknown round is refused too.
    /// </summary>
    [Fact]
    public async Task Only_the_operator_may_subscribe_and_only_to_a_round_that_exists()
    {
        await using var federation = await FederationCluster.StartAsync(1);
        var client = federation.Cluster.Client;
        var observer = client.CreateObjectReference<IRoundObserver>(new RecordingRoundObserver());
        var probe = client.GetGrain<ICallProbeGrain>("subscriber");

        var refused = await Assert.ThrowsAsync<FederationException>(() => probe.SubscribeAsync(FederationCluster.FederationName, observer));
        Assert.Equal(FederationErrorKind.Forbidden, refused.Kind);
        Assert.Equal("forbidden", refused.Reason);
        Assert.Contains("callprobe", refused.Message, StringComparison.Ordinal);
        Assert.Contains("SubscribeAsync", refused.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<FederationException>(() => federation.Aggregator.SubscribeAsync(observer, 42));
        Assert.Equal("unknown-round", unknown.Reason);
        client.DeleteObjectReference<IRoundObserver>(observer);
    }

    private static string Describe(object notification) => notification switch
    {
        RoundInfo round => $"round {round.State} {round.Uploaded.Count}",
        ParticipantProgressNotice progress => $"{progress.ParticipantId} {progress.Report.Status} {progress.Report.Progress}",
        StudentEpochNotice epoch => $"epoch {epoch.Metrics.Epoch}",
        _ => notification.GetType().Name,
    };

    private static int IndexOf(IReadOnlyList<object> received, Func<object, bool> match)
    {
        for (var i = 0; i < received.Count; i++)
        {
            if (match(received[i])) return i;
        }

        return int.MaxValue;
    }
}
