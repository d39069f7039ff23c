using FedDistill.Client.Federation;
using FedDistill.Grains.Protocol;

namespace FedDistill.Federation.Tests.Support;

/// <summary>Waits on a federation through its aggregator grain, polling, with the silos' logs in every timeout message.</summary>
public static class FederationPolling
{
    /// <summary>How long any one wait may take: generous, since silo processes share two busy cores.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    /// <summary>The round once <paramref name="condition"/> holds.</summary>
    public static async Task<RoundInfo> RoundAsync(LocalFederation federation, int round, Func<RoundInfo, bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            var info = await federation.Admin.GetRoundAsync(round).WaitAsync(Timeout);
            if (condition(info)) return info;
            if (timeout.IsCancellationRequested)
                throw new TimeoutException($"Round {round} still {info.State} with uploads [{string.Join(", ", info.Uploaded)}] after {Timeout.TotalMinutes} min.\n{federation.Logs()}");
            await Task.Delay(250);
        }
    }

    /// <summary>The round once it has ended (completed, failed or cancelled).</summary>
    public static Task<RoundInfo> EndedAsync(LocalFederation federation, int round) => RoundAsync(federation, round, info => info.State.IsFinal());

    /// <summary>Waits until <paramref name="participant"/>'s last report satisfies <paramref name="condition"/>.</summary>
    public static async Task ReportAsync(LocalFederation federation, string participant, Func<ParticipantReport, bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        ParticipantReport? last = null;
        while (!timeout.IsCancellationRequested)
        {
            var participants = await federation.Admin.ListParticipantsAsync().WaitAsync(Timeout);
            last = participants.Single(p => p.ParticipantId == participant).LastReport;
            if (last is not null && condition(last)) return;
            await Task.Delay(100);
        }

        throw new TimeoutException($"{participant} never reported the awaited state; last: {last?.Status} (round {last?.Round}).\n{federation.Logs()}");
    }

    /// <summary>Every byte of a published student, downloaded in chunks from the aggregator grain.</summary>
    public static async Task<byte[]> StudentAsync(LocalFederation federation, int version)
    {
        using var buffer = new MemoryStream();
        using var timeout = new CancellationTokenSource(Timeout);
        await foreach (var chunk in federation.Admin.ReadStudentAsync(version).WithCancellation(timeout.Token)) buffer.Write(chunk);
        return buffer.ToArray();
    }
}
