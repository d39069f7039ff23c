using System.Diagnostics;
using System.Globalization;
using FedDistill.Client.Federation;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using FedDistill.Distillation.Compute;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Training.Optimizers;
using FedDistill.Grains.Federation;
using FedDistill.Grains.Protocol;
using FedDistill.Transport;
using TorchSharp;

namespace FedDistill.Bench;

/// <summary>
/// One round per federation size against a real aggregator silo process (mutual TLS, SQLite):
/// N simulated participants in this process, each with its own small MLP teacher trained on its
/// Dirichlet share, compute logits on the public set and upload them concurrently. Reports the
/// round time, the share of it outside teacher inference and student training, the aggregator's
/// peak resident memory and the bytes each participant sent.
/// </summary>
public static class FederationRounds
{
    public static async Task<int> RunAsync(string[] args)
    {
        IReadOnlyList<int> sizes = [1, 10, 50];
        var publicCount = 5_000;
        var reader = new ArgumentReader("federation", args);
        while (reader.TryNext(out var option))
        {
            switch (option)
            {
                case "--sizes": sizes = reader.IntList(option, minimum: 1); break;
                case "--public": publicCount = reader.Int(option, minimum: 1); break;
                default: throw reader.Unknown(option);
            }
        }

        var invariant = CultureInfo.InvariantCulture;
        var root = Path.Combine(Path.GetTempPath(), "feddistill-bench-federation-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            foreach (var size in sizes)
            {
                var row = await RunSizeAsync(size, publicCount, Path.Combine(root, size.ToString(invariant)));
                Console.WriteLine(string.Create(invariant,
                    $"bench: federation participants={size} round_s={row.RoundSeconds:F2} inference_s={row.InferenceSeconds:F2} distill_s={row.DistillSeconds:F2} overhead_share={row.OverheadShare:F3} aggregator_peak_mib={row.PeakMiB:F0} bytes_per_participant={row.BytesPerParticipant:F0}"));
            }
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }

        return 0;
    }

    private sealed record Row(double RoundSeconds, double InferenceSeconds, double DistillSeconds, double OverheadShare, double PeakMiB, double BytesPerParticipant);

    private static async Task<Row> RunSizeAsync(int participants, int publicCount, string work)
    {
        var invariant = CultureInfo.InvariantCulture;
        var publicSpec = new PublicSetSpec(Count: publicCount, AugmentedCopies: 0);
        await using var federation = await LocalFederation.StartAsync(new LocalFederationOptions
        {
            WorkDirectory = work,
            Participants = participants,
            StartParticipants = false,
            AggregatorSettings = new Dictionary<string, string>
            {
                ["FedDistill:Aggregator:PublicSet:Count"] = publicCount.ToString(invariant),
                ["FedDistill:Aggregator:PublicSet:AugmentedCopies"] = "0",
                ["FedDistill:Aggregator:EvaluationExamples"] = "2000",
                ["FedDistill:Aggregator:Student:Kind"] = "mlp",
                ["FedDistill:Aggregator:Student:HiddenWidths:0"] = "128",
                ["FedDistill:Aggregator:Threads"] = "2",
            },
            StartTimeout = TimeSpan.FromSeconds(120),
        }, CancellationToken.None);

        // The simulated organizations: each a small teacher on its own Dirichlet(0.5) share.
        var sources = new DataSources(null);
        var publicSet = PublicSet.Load(publicSpec, sources);
        var teachers = new List<(string Id, torch.nn.Module<torch.Tensor, torch.Tensor> Model, int[] Counts)>();
        for (var i = 0; i < participants; i++)
        {
            var data = new PrivateDataSpec(Count: 50_000, Parts: participants, Index: i, MinPartSize: Math.Min(200, 50_000 / participants / 4)).Load(publicSet, sources);
            var model = ModelFactory.Create(new ModelSpec { Kind = "mlp", HiddenWidths = [32] }, data.ExampleShape);
            // Intra-op threads per model (1 for these MLPs), set on the thread that trains.
            using var threads = IntraOpThreads.Use(model);
            new Trainer(new TrainerOptions(Schedule: "cosine", Epochs: 1, BatchSize: 256, LearningRate: 3e-3, Seed: (ulong)i)).Train(model, data, null, new CrossEntropyLoss());
            var counts = new int[data.ClassCount];
            foreach (var label in data.Labels!) counts[label]++;
            teachers.Add((LocalFederation.ParticipantId(i), model, counts));
        }

        var round = await federation.Admin.StartRoundAsync(new RoundSettings { Quorum = participants, DeadlineSeconds = 3600, StudentEpochs = 2, Strategy = "per-class-weighted" }, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        var inference = Stopwatch.StartNew();
        var bodies = teachers.Select(t =>
        {
            // This runs after an await, maybe on another thread than the training: set the count here.
            using var threads = IntraOpThreads.Use(t.Model);
            using var logits = Predictor.PredictLogits(t.Model, publicSet.Examples);
            var report = new TeacherReport("mlp", "mlp", t.Model.ParameterCount(), t.Counts.Sum(), t.Counts);
            return (t.Id, Body: SoftLabelsCodec.Encode(round.Round, t.Id, publicSet.Fingerprint, "float16", publicSet.Examples.ClassCount, [(report, logits.data<float>().ToArray())]));
        }).ToList();
        inference.Stop();

        var clients = teachers.Select((_, i) => federation.CreateParticipantClient(i)).ToList();
        try
        {
            await Task.WhenAll(bodies.Select((b, i) => new HttpAggregatorClient(clients[i]).SubmitAsync(b.Id, round.Round, b.Body, CancellationToken.None)));
            RoundInfo info;
            do
            {
                await Task.Delay(100);
                info = await federation.Admin.GetRoundAsync(round.Round, CancellationToken.None);
            }
            while (!info.State.IsFinal());
            watch.Stop();
            if (info.State != RoundState.Completed) throw new InvalidOperationException($"round ended {info.State}: {info.FailureReason}\n{federation.Logs()}");
            var distill = info.Result!.DistillSeconds;
            var total = watch.Elapsed.TotalSeconds;
            return new Row(total, inference.Elapsed.TotalSeconds, distill, (total - inference.Elapsed.TotalSeconds - distill) / total,
                PeakResidentMiB(federation.Aggregator!.ProcessId), bodies.Average(b => (double)b.Body.Length));
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
            foreach (var teacher in teachers) teacher.Model.Dispose();
        }
    }

    // VmHWM: the process's peak resident set since it started.
    private static double PeakResidentMiB(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kilobytes / 1024.0;
    }
}
