using System.Globalization;
using FedDistill.Client.Federation;
using FedDistill.Grains.Protocol;

namespace FedDistill.Bench;

/// <summary>
/// Rounds on a real Orleans cluster, per federation size: the aggregator's silo as its own process
/// and N organization silos hosted in this process (<see cref="InProcessSilo"/>: real silos on
/// their own TLS ports, so 50 fit on one machine), on loopback, state in Azure Storage (Azurite).
/// Each organization trains a small MLP teacher on its Dirichlet share in the first warm-up
/// round; each measured round is then a one-shot round in which every organization computes
/// logits on the public set and uploads them. Reports the medians over the measured rounds of the
/// round time and of the share of it outside teacher work and student training (with that share's
/// range), the aggregator process's peak resident memory and the bytes each organization uploaded.
/// </summary>
public static class FederationRounds
{
    public static async Task<int> RunAsync(string[] args)
    {
        IReadOnlyList<int> sizes = [1, 10, 50];
        var publicCount = 5_000;
        var warmUpRounds = 3;
        var measuredRounds = 5;
        var reader = new ArgumentReader("federation", args);
        while (reader.TryNext(out var option))
        {
            switch (option)
            {
                case "--sizes": sizes = reader.IntList(option, minimum: 1); break;
                case "--public": publicCount = reader.Int(option, minimum: 1); break;
                case "--warm-up": warmUpRounds = reader.Int(option, minimum: 1); break;
                case "--rounds": measuredRounds = reader.Int(option, minimum: 1); break;
                default: throw reader.Unknown(option);
            }
        }

        var invariant = CultureInfo.InvariantCulture;
        // Every silo of the federation runs on this one machine; with ASP.NET Core's default server
        // GC each process keeps heaps per core, and 50 organizations would not fit in memory. Real
        // organizations run on machines of their own; here the silos inherit workstation GC.
        Environment.SetEnvironmentVariable("DOTNET_gcServer", "0");
        var root = Path.Combine(Path.GetTempPath(), "feddistill-bench-federation-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            foreach (var size in sizes)
            {
                var row = await RunSizeAsync(size, publicCount, warmUpRounds, measuredRounds, Path.Combine(root, size.ToString(invariant)));
                Console.WriteLine(string.Create(invariant,
                    $"bench: federation organizations={size} rounds={measuredRounds} median: round_s={row.RoundSeconds:F2} teacher_s={row.TeacherSeconds:F2} distill_s={row.DistillSeconds:F2} overhead_s={row.OverheadSeconds:F2} overhead_share={row.OverheadShare:F3} (range {row.LowestShare:F3}-{row.HighestShare:F3}) aggregator_peak_mib={row.PeakMiB:F0} bytes_per_organization={row.BytesPerOrganization:F0}"));
            }
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }

        return 0;
    }

    // Fifty silos and the aggregator on two cores answer membership probes late while the
    // organizations start or compute; Orleans' defaults (5 s, 3 missed) would declare a busy silo
    // dead, and a dead silo ends its process, here all of the organizations' silos at once.
    private const string ProbeTimeoutSeconds = "30";
    private const string MissedProbesLimit = "10";

    // Medians over the measured rounds, and the range of the overhead share.
    private sealed record Row(double RoundSeconds, double TeacherSeconds, double DistillSeconds, double OverheadSeconds, double OverheadShare, double LowestShare, double HighestShare,
        double PeakMiB, double BytesPerOrganization);

    private static async Task<Row> RunSizeAsync(int organizations, int publicCount, int warmUpRounds, int measuredRounds, string work)
    {
        var invariant = CultureInfo.InvariantCulture;
        await using var federation = await LocalFederation.StartAsync(new LocalFederationOptions
        {
            WorkDirectory = work,
            Participants = organizations,
            AggregatorSettings = new Dictionary<string, string>
            {
                ["FedDistill:Aggregator:FederationName"] = "bench",
                ["FedDistill:Aggregator:PublicSet:Count"] = publicCount.ToString(invariant),
                ["FedDistill:Aggregator:PublicSet:AugmentedCopies"] = "0",
                ["FedDistill:Aggregator:ValidationExamples"] = Math.Min(1_000, publicCount).ToString(invariant),
                ["FedDistill:Aggregator:EvaluationExamples"] = "2000",
                ["FedDistill:Aggregator:Student:Kind"] = "mlp",
                ["FedDistill:Aggregator:Student:HiddenWidths:0"] = "128",
                ["FedDistill:Aggregator:Threads"] = "2",
                ["FedDistill:Silo:ProbeTimeoutSeconds"] = ProbeTimeoutSeconds,
                ["FedDistill:Silo:MissedProbesLimit"] = MissedProbesLimit,
            },
            // Each organization: an MLP teacher (784-32-10) trained for one epoch on its Dirichlet(0.5) share of 50,000 images.
            ParticipantSettings = _ => new Dictionary<string, string>
            {
                ["FedDistill:Organization:PrivateData:Count"] = "50000",
                ["FedDistill:Organization:PrivateData:MinPartSize"] = Math.Min(200, 50_000 / organizations / 4).ToString(invariant),
                ["FedDistill:Organization:Teachers:0:Id"] = "mlp",
                ["FedDistill:Organization:Teachers:0:Model:Kind"] = "mlp",
                ["FedDistill:Organization:Teachers:0:Model:HiddenWidths:0"] = "32",
                ["FedDistill:Organization:Teachers:0:Epochs"] = "1",
                ["FedDistill:Organization:Teachers:0:BatchSize"] = "256",
                ["FedDistill:Organization:Teachers:0:LearningRate"] = "0.003",
                ["FedDistill:Organization:Teachers:0:AugmentedCopies"] = "0",
                ["FedDistill:Organization:Threads"] = "1",
                ["FedDistill:Silo:ProbeTimeoutSeconds"] = ProbeTimeoutSeconds,
                ["FedDistill:Silo:MissedProbesLimit"] = MissedProbesLimit,
            },
            StartTimeout = TimeSpan.FromSeconds(300),
            // The organizations' silos run in this process (InProcessSilo), started below.
            StartParticipants = false,
        }, CancellationToken.None);
        var silos = new List<InProcessSilo>();
        try
        {
            var contentRoot = Path.GetDirectoryName(SiloLocator.Find())!;
            for (var i = 0; i < organizations; i++) silos.Add(await StartOrganizationAsync(federation, i, contentRoot));

            return await MeasureAsync(federation, organizations, warmUpRounds, measuredRounds);
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    // A free port found at the federation's start can be taken by the time the fiftieth silo binds
    // it (outgoing connections draw from the same ephemeral range), so a bind that fails is
    // retried on fresh ports: an organization's silo announces whatever port it listens on.
    private static async Task<InProcessSilo> StartOrganizationAsync(LocalFederation federation, int index, string contentRoot)
    {
        for (var attempt = 1; ; attempt++)
        {
            var settings = new Dictionary<string, string>(federation.ParticipantSiloSettings(index))
            {
                // Fifty silos' information logs on one console would drown the report.
                ["Logging:LogLevel:Default"] = "Warning",
            };
            if (attempt > 1)
            {
                var ports = LocalFederation.FreePorts(2);
                settings["FedDistill:Silo:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture);
                settings["urls"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ports[1]}");
            }
            try
            {
                return await InProcessSilo.StartAsync(settings, contentRoot, CancellationToken.None);
            }
            catch (Exception error) when (attempt < 3 && error.GetBaseException() is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse }
                or Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                Console.WriteLine($"bench: federation {LocalFederation.ParticipantId(index)}: a port was taken ({error.GetBaseException().Message}); trying others");
            }
        }
    }

    private static async Task<Row> MeasureAsync(LocalFederation federation, int organizations, int warmUpRounds, int measuredRounds)
    {
        var invariant = CultureInfo.InvariantCulture;

        // The first warm-up round waits for every organization's silo to join and its teacher to
        // train. The next ones let the runtime settle: fifty silos' worth of code is still being
        // recompiled by the JIT's tiering thread (a core's worth for tens of seconds) after the
        // first round. The measured rounds then cost what a round costs once the federation runs.
        for (var i = 1; i <= warmUpRounds; i++)
        {
            var warmUp = await RunRoundAsync(federation, new RoundSettings { Quorum = organizations, DeadlineSeconds = 3600, StudentEpochs = 1 });
            var note = i == 1 ? " (silos joining, teachers training)" : "";
            Console.WriteLine(string.Create(invariant, $"bench: federation organizations={organizations} warm-up round {i} of {warmUpRounds}: {warmUp.RoundSeconds:F1} s{note}"));
        }

        var rounds = new List<RoundResult>(measuredRounds);
        for (var i = 1; i <= measuredRounds; i++)
        {
            var measured = await RunRoundAsync(federation, new RoundSettings { Quorum = organizations, DeadlineSeconds = 3600, StudentEpochs = 2, Strategy = "per-class-weighted" });
            rounds.Add(measured);
            Console.WriteLine(string.Create(invariant,
                $"bench: federation organizations={organizations} round {i} of {measuredRounds}: round_s={measured.RoundSeconds:F3} teacher_s={measured.TeacherSeconds:F3} distill_s={measured.DistillSeconds:F3} overhead_share={OverheadShare(measured):F3} aggregator_rss_mib={ResidentMiB(federation.Aggregator!.ProcessId, "VmRSS:"):F0}"));
        }

        var shares = rounds.Select(OverheadShare).ToList();
        return new Row(Statistics.Median(rounds.Select(r => r.RoundSeconds)), Statistics.Median(rounds.Select(r => r.TeacherSeconds)),
            Statistics.Median(rounds.Select(r => r.DistillSeconds)), Statistics.Median(rounds.Select(OverheadSeconds)), Statistics.Median(shares), shares.Min(), shares.Max(),
            ResidentMiB(federation.Aggregator!.ProcessId, "VmHWM:"), Statistics.Median(rounds.Select(r => r.UploadedBytes / (double)organizations)));
    }

    // Everything but the slowest organization's teacher work and the student's training.
    private static double OverheadSeconds(RoundResult round) => round.RoundSeconds - round.TeacherSeconds - round.DistillSeconds;

    private static double OverheadShare(RoundResult round) => OverheadSeconds(round) / round.RoundSeconds;


    private static async Task<RoundResult> RunRoundAsync(LocalFederation federation, RoundSettings settings)
    {
        var round = await federation.Admin.StartRoundAsync(settings);
        RoundInfo info;
        do
        {
            await Task.Delay(100);
            info = await federation.Admin.GetRoundAsync(round.Round);
        }
        while (!info.State.IsFinal());

        if (info.State != RoundState.Completed) throw new InvalidOperationException($"round {info.Round} ended {info.State}: {info.FailureReason}\n{federation.Logs()}");
        return info.Result!;
    }

    // A resident-set line of /proc/<pid>/status: VmRSS (now) or VmHWM (the peak since the process started).
    private static double ResidentMiB(int processId, string field)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        var kilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kilobytes / 1024.0;
    }
}
