using System.Diagnostics;
using System.Globalization;
using System.Text;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Ensembles;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Compute;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Training.Optimizers;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Bench;

/// <summary>
/// The multi-teacher quality run of docs/results.md: three CNN teachers, each trained only on its
/// own Dirichlet(α) label-skewed third of 50,000 Fashion-MNIST training images; a 10,000-image
/// unlabeled public split (its first 1,000 labels serve as the aggregator's small validation
/// set); students distilled from the ensemble and evaluated on the 10,000 test images.
/// </summary>
public static class QualityRun
{
    /// <summary>The heading of the section this run writes in docs/results.md; the file's other sections are left alone.</summary>
    public const string Heading = "## Multi-teacher distillation under label skew (Fashion-MNIST)";

    private sealed record Settings(int TeacherEpochs = 6, int StudentEpochs = 8, int Students = 3, int PrivateCopies = 1, double Alpha = 0.5, ulong Seed = 1, int Threads = 0,
        string? Strategies = null, string Output = "docs/results.md", double Temperature = 4.0, int PublicCopies = 3);

    public static int Run(string[] args)
    {
        var settings = Parse(args);
        // Intra-op threads per model (IntraOpThreads: 1 for the MLP, every core for the CNNs)
        // unless --threads fixes one count; applied on this thread right before each piece of work.
        IDisposable Threads(nn.Module model) => IntraOpThreads.Use(settings.Threads > 0 ? settings.Threads : IntraOpThreads.For(model));
        using var defaultThreads = IntraOpThreads.Use(settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount);
        var total = Stopwatch.StartNew();
        var log = new StringBuilder();
        void Say(string line) { Console.WriteLine(line); log.AppendLine(line); }

        var train = FashionMnist.LoadTrain();
        var test = FashionMnist.LoadTest();
        var normalization = GlobalNormalization.Fit(train);
        train = normalization.Apply(train);
        test = normalization.Apply(test);

        var order = new BatchPlan(train.Count, train.Count).Order(settings.Seed, 0);
        var publicLabeled = train.Subset(order.AsSpan(0, 10_000));
        var privatePool = train.Subset(order.AsSpan(10_000, 50_000));
        // Augmented copies of the public images join the public set: every teacher labels them too.
        var publicSet = ImageAugmentation.Expand(publicLabeled.WithoutLabels(), settings.PublicCopies, maxShift: 2, settings.Seed + 17);
        var validation = publicLabeled.Subset(Enumerable.Range(0, 1_000).ToArray());
        var parts = new DirichletLabelSkewPartitioner(settings.Alpha, minPartSize: 2_000)
            .Partition(privatePool.Labels!, privatePool.ClassCount, 3, new DeterministicRandom(settings.Seed));

        var evaluator = new ModelEvaluator(new EvaluationOptions { MeasureSpeed = true, LatencyRuns = 30 });
        var teacherReports = new List<EvaluationReport>();
        var contributions = new List<(TeacherContribution Public, TeacherContribution Test)>();
        var teachers = new List<nn.Module<Tensor, Tensor>>();
        for (var k = 0; k < parts.Count; k++)
        {
            var privateData = privatePool.Subset(parts[k]);
            // Each organization may augment its own private images; nothing of them leaves it.
            var privateTraining = ImageAugmentation.Expand(privateData, settings.PrivateCopies, maxShift: 2, settings.Seed + 31 + (ulong)k);
            var counts = new double[privatePool.ClassCount];
            foreach (var label in privateData.Labels!) counts[label]++;
            torch.manual_seed(unchecked((long)(settings.Seed + (ulong)k)));
            var teacher = new SmallCnn(channels1: 32, channels2: 64, hiddenWidth: 256, dropout: 0.25);
            using var teacherThreads = Threads(teacher);
            var watch = Stopwatch.StartNew();
            new Trainer(new TrainerOptions(Schedule: "cosine", Epochs: settings.TeacherEpochs, BatchSize: 128, LearningRate: 2e-3, Optimizer: "adamw", WeightDecay: 5e-4,
                Seed: settings.Seed + (ulong)k)).Train(teacher, privateTraining, null, new CrossEntropyLoss(labelSmoothing: 0.05));
            var report = evaluator.Evaluate($"teacher-{k + 1}", teacher, test);
            teacherReports.Add(report);
            var validationAccuracy = Predictor.Accuracy(teacher, validation);
            var publicLogits = Predictor.PredictLogits(teacher, publicSet);
            var testLogits = Predictor.PredictLogits(teacher, test);
            TeacherContribution Contribution(Tensor logits) => new($"teacher-{k + 1}", logits)
            {
                ValidationAccuracy = validationAccuracy,
                PerClassWeights = counts,
                // fixed-weights: each organization weighted by how much private data it holds.
                Weight = privateData.Count,
            };
            contributions.Add((Contribution(publicLogits), Contribution(testLogits)));
            teachers.Add(teacher);
            Say(string.Create(CultureInfo.InvariantCulture,
                $"teacher-{k + 1}: {privateData.Count} private images, classes [{string.Join(" ", counts.Select(c => c.ToString("F0", CultureInfo.InvariantCulture)))}], test accuracy {report.Accuracy:F4}, {watch.Elapsed.TotalSeconds:F0} s"));
        }
        var bestTeacher = teacherReports.Max(report => report.Accuracy);

        // The reference the federation tries to approach: the same student architecture trained centrally on all 50,000 labels.
        torch.manual_seed(unchecked((long)(settings.Seed + 100)));
        using var central = new SmallCnn();
        double centralAccuracy;
        using (Threads(central))
        {
            new Trainer(new TrainerOptions(Schedule: "cosine", Epochs: settings.TeacherEpochs, BatchSize: 128, LearningRate: 2e-3, Seed: settings.Seed + 100))
                .Train(central, privatePool, null, new CrossEntropyLoss());
            centralAccuracy = Predictor.Accuracy(central, test);
        }
        Say(string.Create(CultureInfo.InvariantCulture, $"central small CNN on all 50,000 labels: test accuracy {centralAccuracy:F4}"));

        var strategyNames = settings.Strategies?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            // pate-gnmax is a private release, not a quality strategy: ./run bench privacy measures it.
            ?? EnsembleStrategyFactory.AllowedNames.Where(name => name != PateGnMaxStrategy.StrategyName).ToArray();
        var rows = new List<Row>();
        var candidates = new List<(string Name, double ValidationAccuracy, double TestAccuracy)>();
        foreach (var name in strategyNames)
        {
            var options = new EnsembleOptions { Name = name, Temperature = settings.Temperature };
            using var publicEnsemble = Ensemble(options, contributions.Select(c => c.Public));
            using var testEnsemble = Ensemble(options, contributions.Select(c => c.Test));
            // The aggregator's 1,000 labeled public images are the head of the public set.
            using var validationLogits = publicEnsemble.narrow(0, 0, validation.Count);
            var validationAccuracy = Predictor.Accuracy(validationLogits, validation.Labels!);
            var testAccuracy = Predictor.Accuracy(testEnsemble, test.Labels!);
            candidates.Add((name, validationAccuracy, testAccuracy));
            Say(string.Create(CultureInfo.InvariantCulture, $"{name}: ensemble validation accuracy {validationAccuracy:F4}, test accuracy {testAccuracy:F4}"));
        }
        // Students are distilled for the strategies the validation set ranks best (no test data
        // in the choice), plus the plain mean of logits as the baseline.
        var chosen = candidates.OrderByDescending(c => c.ValidationAccuracy).Take(settings.Students).Select(c => c.Name)
            .Append(MeanLogitsStrategy.StrategyName).Distinct().ToHashSet();
        foreach (var (name, _, ensembleAccuracy) in candidates)
        {
            if (!chosen.Contains(name))
            {
                rows.Add(new Row(name, "(not distilled)", ensembleAccuracy, double.NaN, 0));
                continue;
            }
            var options = new EnsembleOptions { Name = name, Temperature = settings.Temperature };
            using var publicEnsemble = Ensemble(options, contributions.Select(c => c.Public));
            var watch = Stopwatch.StartNew();
            using var student = DistillStudent(new SmallCnn(), publicSet, publicEnsemble, settings, hardLabels: false);
            double studentAccuracy;
            using (Threads(student)) studentAccuracy = Predictor.Accuracy(student, test);
            rows.Add(new Row(name, "small CNN, soft labels", ensembleAccuracy, studentAccuracy, student.ParameterCount()));
            Say(string.Create(CultureInfo.InvariantCulture,
                $"{name}: ensemble test accuracy {ensembleAccuracy:F4}, student {studentAccuracy:F4} ({watch.Elapsed.TotalSeconds:F0} s)"));
        }

        var best = rows.Where(row => !double.IsNaN(row.StudentAccuracy)).MaxBy(row => row.StudentAccuracy)!;
        var bestOptions = new EnsembleOptions { Name = best.Strategy, Temperature = settings.Temperature };
        using var bestEnsemble = Ensemble(bestOptions, contributions.Select(c => c.Public));
        using var bestTestEnsemble = Ensemble(bestOptions, contributions.Select(c => c.Test));
        double Accuracy(nn.Module<Tensor, Tensor> model)
        {
            using var threads = Threads(model);
            return Predictor.Accuracy(model, test);
        }
        EvaluationReport Evaluate(string name, nn.Module<Tensor, Tensor> model)
        {
            using var threads = Threads(model);
            return evaluator.Evaluate(name, model, test, bestTestEnsemble, teacherReports);
        }
        using var hardStudent = DistillStudent(new SmallCnn(), publicSet, bestEnsemble, settings, hardLabels: true);
        rows.Add(new Row(best.Strategy, "small CNN, hard pseudo-labels", best.EnsembleAccuracy, Accuracy(hardStudent), hardStudent.ParameterCount()));
        using var mlpStudent = DistillStudent(new Mlp(784, [256, 128], 10), publicSet, bestEnsemble, settings, hardLabels: false);
        rows.Add(new Row(best.Strategy, "MLP 784-256-128-10, soft labels", best.EnsembleAccuracy, Accuracy(mlpStudent), mlpStudent.ParameterCount()));
        // Re-distilled with the same seed, so it is the best row's student, now fully evaluated.
        using var bestStudent = DistillStudent(new SmallCnn(), publicSet, bestEnsemble, settings, hardLabels: false);
        var studentReport = Evaluate("student", bestStudent);
        var mlpReport = Evaluate("mlp-student", mlpStudent);
        foreach (var row in rows.Where(row => !double.IsNaN(row.StudentAccuracy)))
            Say(string.Create(CultureInfo.InvariantCulture, $"result: {row.Strategy} | {row.Student} | {row.StudentAccuracy:F4}"));
        Say(string.Create(CultureInfo.InvariantCulture, $"best student {studentReport.Accuracy:F4} vs best teacher {bestTeacher:F4}: {100 * (studentReport.Accuracy - bestTeacher):+0.00;-0.00} points"));

        WriteResults(settings, rows, teacherReports, studentReport, mlpReport, centralAccuracy, bestTeacher, total.Elapsed, log.ToString());
        foreach (var teacher in teachers) teacher.Dispose();
        foreach (var (publicContribution, testContribution) in contributions)
        {
            publicContribution.Logits.Dispose();
            testContribution.Logits.Dispose();
        }
        return 0;
    }

    private sealed record Row(string Strategy, string Student, double EnsembleAccuracy, double StudentAccuracy, long Parameters);

    private static Tensor Ensemble(EnsembleOptions options, IEnumerable<TeacherContribution> contributions)
    {
        var strategy = EnsembleStrategyFactory.Create(options);
        var first = contributions.First();
        using var accumulator = strategy.Begin((int)first.Logits.size(0), (int)first.Logits.size(1));
        foreach (var contribution in contributions) accumulator.Add(contribution);
        return accumulator.Finish();
    }

    private static nn.Module<Tensor, Tensor> DistillStudent(nn.Module<Tensor, Tensor> student, Dataset publicSet, Tensor ensembleLogits, Settings settings, bool hardLabels)
    {
        using var threads = IntraOpThreads.Use(settings.Threads > 0 ? settings.Threads : IntraOpThreads.For(student));
        var trainer = new Trainer(new TrainerOptions(Schedule: "cosine", Epochs: settings.StudentEpochs, BatchSize: 128, LearningRate: 2e-3, Optimizer: "adamw",
            WeightDecay: 5e-4, Seed: settings.Seed + 7));
        if (hardLabels)
        {
            using var predictions = ensembleLogits.argmax(1);
            var pseudo = Array.ConvertAll(predictions.data<long>().ToArray(), label => (int)label);
            var pseudoLabeled = new Dataset(publicSet.Features.ToArray(), publicSet.ExampleShape, pseudo, publicSet.ClassCount);
            trainer.Train(student, pseudoLabeled, null, new CrossEntropyLoss());
        }
        else
        {
            trainer.Train(student, publicSet, ensembleLogits, new KnowledgeDistillationLoss(settings.Temperature));
        }
        return student;
    }

    private static void WriteResults(Settings settings, List<Row> rows, List<EvaluationReport> teachers, EvaluationReport student, EvaluationReport mlp,
        double centralAccuracy, double bestTeacher, TimeSpan elapsed, string log)
    {
        var invariant = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(string.Create(invariant, $"Command: `./run bench quality --teacher-epochs {settings.TeacherEpochs} --student-epochs {settings.StudentEpochs} --alpha {settings.Alpha} --seed {settings.Seed} --public-copies {settings.PublicCopies} --private-copies {settings.PrivateCopies} --students {settings.Students}` ({elapsed.TotalMinutes:F0} min on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd})."));
        text.AppendLine();
        text.AppendLine(string.Create(invariant, $"Three CNN teachers (32-64-256, {teachers[0].ParameterCount:N0} parameters), each trained only on ({settings.PrivateCopies} flipped/shifted copies of) its own Dirichlet(α = {settings.Alpha}) label-skewed third of 50,000 training images; a 10,000-image unlabeled public split (its first 1,000 labels are the aggregator's validation set for accuracy weighting), plus {settings.PublicCopies} flipped/shifted copies of each public image that the teachers label as part of the public set; students distilled on the public set alone with KD at T = {settings.Temperature}; evaluation on the 10,000 test images."));
        text.AppendLine();
        text.AppendLine("| model | test accuracy | parameters | latency batch 1 (ms) | throughput batch 256 (samples/s) |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var report in teachers.Append(student).Append(mlp))
            text.AppendLine(string.Create(invariant, $"| {report.Name} | {report.Accuracy:F4} | {report.ParameterCount:N0} | {report.Speed?.LatencyMilliseconds:F3} | {report.Speed?.ThroughputSamplesPerSecond:F0} |"));
        text.AppendLine(string.Create(invariant, $"| small CNN trained centrally on all 50,000 labels (reference) | {centralAccuracy:F4} | | | |"));
        text.AppendLine();
        text.AppendLine(string.Create(invariant, $"Best student {student.Accuracy:F4} against the best single teacher {bestTeacher:F4}: **{100 * (student.Accuracy - bestTeacher):+0.00;-0.00} points**."));
        text.AppendLine();
        text.AppendLine("Against each teacher (speed-up = teacher latency / student latency; compression = teacher parameters / student parameters):");
        text.AppendLine();
        text.AppendLine("| student | teacher | speed-up | throughput ratio | compression |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: |");
        foreach (var report in new[] { student, mlp })
            foreach (var comparison in report.Comparisons)
                text.AppendLine(string.Create(invariant, $"| {report.Name} | {comparison.Teacher} | {comparison.LatencySpeedup:F2} | {comparison.ThroughputRatio:F2} | {comparison.CompressionRatio:F2} |"));
        text.AppendLine();
        text.AppendLine("Ensemble strategies, each over the three teachers' logits. Students are distilled for the strategies the aggregator's 1,000-image labeled validation set ranks highest, plus mean-logits as the baseline:");
        text.AppendLine();
        text.AppendLine("| strategy | student | ensemble test accuracy | student test accuracy | student parameters |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: |");
        foreach (var row in rows)
            text.AppendLine(string.Create(invariant, $"| {row.Strategy} | {row.Student} | {row.EnsembleAccuracy:F4} | {(double.IsNaN(row.StudentAccuracy) ? "" : row.StudentAccuracy.ToString("F4", CultureInfo.InvariantCulture))} | {(row.Parameters == 0 ? "" : row.Parameters.ToString("N0", CultureInfo.InvariantCulture))} |"));
        text.AppendLine();
        text.AppendLine("Log of the run:");
        text.AppendLine();
        text.AppendLine("```");
        text.Append(log);
        text.AppendLine("```");
        var root = Environment.GetEnvironmentVariable("FEDDISTILL_REPO_ROOT") ?? Directory.GetCurrentDirectory();
        MarkdownSection.Write(Path.Combine(root, settings.Output), Heading, text.ToString(), "# Results");
    }

    private static Settings Parse(string[] args)
    {
        var settings = new Settings();
        var reader = new ArgumentReader("quality", args);
        while (reader.TryNext(out var option))
        {
            settings = option switch
            {
                "--teacher-epochs" => settings with { TeacherEpochs = reader.Int(option, minimum: 1) },
                "--student-epochs" => settings with { StudentEpochs = reader.Int(option, minimum: 1) },
                "--alpha" => settings with { Alpha = reader.PositiveDouble(option) },
                "--seed" => settings with { Seed = reader.UnsignedLong(option) },
                "--threads" => settings with { Threads = reader.Int(option, minimum: 0) },
                "--strategies" => settings with { Strategies = reader.Value(option) },
                "--temperature" => settings with { Temperature = reader.PositiveDouble(option) },
                "--output" => settings with { Output = reader.Value(option) },
                "--students" => settings with { Students = reader.Int(option, minimum: 0) },
                "--private-copies" => settings with { PrivateCopies = reader.Int(option, minimum: 0) },
                "--public-copies" => settings with { PublicCopies = reader.Int(option, minimum: 0) },
                _ => throw reader.Unknown(option),
            };
        }
        return settings;
    }
}
