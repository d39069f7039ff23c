using System.Diagnostics;
using System.Globalization;
using System.Text;
using FedDistill.Distillation.Compute;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Privacy;
using FedDistill.Distillation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Bench;

/// <summary>
/// Student accuracy against ε (docs/privacy.md): the demo's three hospitals (a Dirichlet(α)
/// label-skewed split of 50,000 Fashion-MNIST training images), each splitting its share into
/// disjoint teacher partitions; GNMax labels a budgeted number of public examples and a small-CNN
/// student learns from them. ε is the data-independent (rigorous) bound at δ = 1e-5.
/// </summary>
public static class PrivacyRun
{
    /// <summary>The heading of the section this run writes in docs/privacy.md.</summary>
    public const string Heading = "## Measured: student accuracy against ε (Fashion-MNIST, teacher partitions)";

    public const string Usage = """
        Usage: ./run bench privacy [options]

        Student accuracy against ε with PATE teacher partitions on Fashion-MNIST (rewrites its
        section of docs/privacy.md). Three hospitals hold a Dirichlet(α) split of 50,000 training
        images and each splits its share into disjoint partitions, one MLP teacher per partition;
        GNMax (noise σ) labels as many public examples as each ε allows (data-independent bound,
        δ = 1e-5), and a small-CNN student trains on them. For each ε the σ whose student does best
        on the 1,000 labeled validation images is reported.

          --partitions N      teacher partitions per hospital (default 50)
          --teacher-epochs N  epochs per teacher (default 30)
          --student-steps N   optimizer steps per student, batch 128 (default 800)
          --epsilons a,b      target ε values (default 8,4,2)
          --sigmas a,b        GNMax noise levels tried for each ε (default 10,20,40,80)
          --alpha A           Dirichlet concentration among hospitals (default 0.5)
          --seed N            seed (default 1)
          --output FILE       results file (default docs/privacy.md)
          -h, --help          this text
        """;

    private const double Delta = 1e-5;
    private const int Hospitals = 3;
    private const int ValidationCount = 1_000;

    private sealed record Settings(int Partitions = 50, int TeacherEpochs = 30, int StudentSteps = 800, string Epsilons = "8,4,2", string Sigmas = "10,20,40,80",
        double Alpha = 0.5, ulong Seed = 1, string Output = "docs/privacy.md");

    private sealed record Row(string Setting, double Sigma, int Queries, double LabelAccuracy, double Epsilon, double DataDependentEpsilon, double ValidationAccuracy, double TestAccuracy);

    public static int Run(string[] args)
    {
        var settings = Parse(args);
        var epsilons = ParseList(settings.Epsilons, "--epsilons");
        var sigmas = ParseList(settings.Sigmas, "--sigmas");
        var total = Stopwatch.StartNew();
        var log = new StringBuilder();
        void Say(string line) { Console.WriteLine(line); log.AppendLine(line); }
        using var threads = IntraOpThreads.Use(Environment.ProcessorCount);

        var train = FashionMnist.LoadTrain();
        var test = FashionMnist.LoadTest();
        var normalization = GlobalNormalization.Fit(train);
        train = normalization.Apply(train);
        test = normalization.Apply(test);
        var order = new BatchPlan(train.Count, train.Count).Order(settings.Seed, 0);
        var publicLabeled = train.Subset(order.AsSpan(0, 10_000));
        var privatePool = train.Subset(order.AsSpan(10_000, 50_000));
        var validation = publicLabeled.Subset(Enumerable.Range(0, ValidationCount).ToArray());
        // The queries come from the rest of the public set, in a fixed random order: a budget of Q queries asks the first Q.
        var candidates = Enumerable.Range(ValidationCount, publicLabeled.Count - ValidationCount).ToArray();
        new DeterministicRandom(settings.Seed + 5).Shuffle(candidates.AsSpan());
        var queryPool = publicLabeled.Subset(candidates);

        var hospitals = new DirichletLabelSkewPartitioner(settings.Alpha, minPartSize: 2_000)
            .Partition(privatePool.Labels!, privatePool.ClassCount, Hospitals, new DeterministicRandom(settings.Seed));
        var classes = privatePool.ClassCount;
        var votes = new double[queryPool.Count * classes];
        var testVotes = new double[test.Count * classes];
        var teacherAccuracies = new List<double>();
        var watch = Stopwatch.StartNew();
        for (var h = 0; h < Hospitals; h++)
        {
            var share = privatePool.Subset(hospitals[h]);
            var partitions = new IidPartitioner().Partition(share.Labels!, classes, settings.Partitions, new DeterministicRandom(settings.Seed + 100 + (ulong)h));
            for (var p = 0; p < partitions.Count; p++)
            {
                var part = share.Subset(partitions[p]);
                var seed = settings.Seed + (ulong)(1000 * h + p);
                torch.manual_seed(unchecked((long)seed));
                using var teacher = new Mlp(784, [256, 128], classes);
                new Trainer(new TrainerOptions(Schedule: "cosine", Epochs: settings.TeacherEpochs, BatchSize: 64, LearningRate: 2e-3, Optimizer: "adamw", WeightDecay: 5e-4, Seed: seed))
                    .Train(teacher, part, null, new CrossEntropyLoss());
                AddVotes(teacher, queryPool, votes, classes);
                teacherAccuracies.Add(AddVotes(teacher, test, testVotes, classes));
            }

            Say(string.Create(CultureInfo.InvariantCulture,
                $"hospital {h + 1}: {share.Count} private images in {partitions.Count} partitions of about {share.Count / partitions.Count}; teachers trained ({watch.Elapsed.TotalSeconds:F0} s so far)"));
        }

        var teachers = teacherAccuracies.Count;
        var voteTestAccuracy = PluralityAccuracy(testVotes, test.Labels!, classes);
        Say(string.Create(CultureInfo.InvariantCulture,
            $"{teachers} teachers: mean test accuracy {teacherAccuracies.Average():F4} (min {teacherAccuracies.Min():F4}, max {teacherAccuracies.Max():F4}); their plurality vote on the test set {voteTestAccuracy:F4}"));

        var rows = new List<Row>();
        // Non-private reference: every query answered with the exact plurality.
        var plurality = Plurality(votes, classes);
        rows.Add(TrainStudent("no noise (non-private), every public example", 0, plurality, queryPool, validation, test, settings, double.PositiveInfinity, double.PositiveInfinity, Say));

        var chosen = new List<Row>();
        foreach (var epsilon in epsilons)
        {
            var tried = new List<Row>();
            foreach (var sigma in sigmas)
            {
                var queries = MaxQueries(sigma, epsilon, queryPool.Count);
                if (queries < 1)
                {
                    Say(string.Create(CultureInfo.InvariantCulture, $"ε ≤ {epsilon}, σ = {sigma}: not even one query fits"));
                    continue;
                }

                var aggregator = new GnMaxAggregator(new PateSettings(sigma), GaussianNoise.Seeded(settings.Seed + (ulong)(sigma * 1000) + (ulong)(epsilon * 7)));
                var answers = aggregator.Answer(votes.AsSpan(0, queries * classes), classes);
                var spent = answers.DataIndependent.GetPrivacySpent(Delta).Epsilon;
                var dataDependent = answers.DataDependent.GetPrivacySpent(Delta).Epsilon;
                tried.Add(TrainStudent(string.Create(CultureInfo.InvariantCulture, $"ε ≤ {epsilon}"), sigma, answers.Labels, queryPool, validation, test, settings, spent, dataDependent, Say));
            }

            if (tried.Count == 0) continue;
            rows.AddRange(tried);
            chosen.Add(tried.MaxBy(row => row.ValidationAccuracy)!);
        }

        var nonPrivate = rows[0].TestAccuracy;
        var targets = new List<BenchTarget>();
        if (chosen.FirstOrDefault(row => row.Epsilon <= 8) is { } atEight)
            targets.Add(new BenchTarget("student at ε ≤ 8 no more than 3 points below the non-private student",
                string.Create(CultureInfo.InvariantCulture, $"{atEight.TestAccuracy:F4} vs {nonPrivate:F4} ({100 * (atEight.TestAccuracy - nonPrivate):+0.00;-0.00} points, ε = {atEight.Epsilon:F2})"),
                nonPrivate - atEight.TestAccuracy <= 0.03));
        if (chosen.FirstOrDefault(row => row.Epsilon <= 2) is { } atTwo)
            targets.Add(new BenchTarget("moonshot: the same at ε ≤ 2",
                string.Create(CultureInfo.InvariantCulture, $"{atTwo.TestAccuracy:F4} vs {nonPrivate:F4} ({100 * (atTwo.TestAccuracy - nonPrivate):+0.00;-0.00} points, ε = {atTwo.Epsilon:F2})"),
                nonPrivate - atTwo.TestAccuracy <= 0.03));
        foreach (var target in targets) Say(target.ToString());

        Write(settings, teachers, teacherAccuracies.Average(), voteTestAccuracy, rows, chosen, targets, total.Elapsed, log.ToString());
        return 0;
    }

    /// <summary>The largest number of GNMax queries at noise σ whose data-independent ε stays within the target.</summary>
    private static int MaxQueries(double sigma, double epsilon, int limit)
    {
        bool Fits(int queries)
        {
            var accountant = new RenyiAccountant();
            accountant.AddGnMax(sigma, queries);
            return accountant.GetPrivacySpent(Delta).Epsilon <= epsilon;
        }

        if (Fits(limit)) return limit;
        int low = 0, high = limit;
        while (high - low > 1)
        {
            var middle = (low + high) / 2;
            if (Fits(middle)) low = middle;
            else high = middle;
        }

        return low;
    }

    private static Row TrainStudent(string setting, double sigma, int[] labels, Dataset queryPool, Dataset validation, Dataset test, Settings settings,
        double epsilon, double dataDependentEpsilon, Action<string> say)
    {
        var watch = Stopwatch.StartNew();
        var answered = Enumerable.Range(0, labels.Length).Where(i => labels[i] >= 0).ToArray();
        var features = queryPool.Subset(answered);
        var labelAccuracy = answered.Count(i => labels[i] == queryPool.Labels![i]) / (double)answered.Length;
        var trainingSet = new Dataset(features.Features.ToArray(), features.ExampleShape, answered.Select(i => labels[i]).ToArray(), features.ClassCount);
        torch.manual_seed(unchecked((long)(settings.Seed + 7)));
        using var student = new SmallCnn();
        var epochs = (int)Math.Ceiling(settings.StudentSteps * 128.0 / answered.Length);
        new Trainer(new TrainerOptions(Schedule: "cosine", Epochs: epochs, BatchSize: 128, LearningRate: 2e-3, Optimizer: "adamw", WeightDecay: 5e-4,
            Seed: settings.Seed + 7, MaxSteps: settings.StudentSteps)).Train(student, trainingSet, null, new CrossEntropyLoss());
        var row = new Row(setting, sigma, answered.Length, labelAccuracy, epsilon, dataDependentEpsilon, Predictor.Accuracy(student, validation), Predictor.Accuracy(student, test));
        say(string.Create(CultureInfo.InvariantCulture,
            $"{setting}, σ = {sigma}: {row.Queries} labels ({row.LabelAccuracy:F4} correct), ε = {row.Epsilon:F3} (data-dependent {row.DataDependentEpsilon:F3}), student validation {row.ValidationAccuracy:F4}, test {row.TestAccuracy:F4} ({watch.Elapsed.TotalSeconds:F0} s)"));
        return row;
    }

    // One vote per example for the teacher's argmax; returns the teacher's accuracy on the data.
    private static double AddVotes(nn.Module<Tensor, Tensor> teacher, Dataset data, double[] votes, int classes)
    {
        using var logits = Predictor.PredictLogits(teacher, data);
        using var choices = logits.argmax(1).cpu();
        var predictions = choices.data<long>().ToArray();
        var correct = 0;
        for (var i = 0; i < predictions.Length; i++)
        {
            votes[i * classes + (int)predictions[i]] += 1;
            if (predictions[i] == data.Labels![i]) correct++;
        }

        return correct / (double)predictions.Length;
    }

    private static int[] Plurality(double[] votes, int classes)
    {
        var labels = new int[votes.Length / classes];
        for (var i = 0; i < labels.Length; i++)
        {
            var best = 0;
            for (var c = 1; c < classes; c++) if (votes[i * classes + c] > votes[i * classes + best]) best = c;
            labels[i] = best;
        }

        return labels;
    }

    private static double PluralityAccuracy(double[] votes, IReadOnlyList<int> labels, int classes)
    {
        var predicted = Plurality(votes, classes);
        return predicted.Where((label, i) => label == labels[i]).Count() / (double)predicted.Length;
    }

    private static void Write(Settings settings, int teachers, double meanTeacher, double voteAccuracy, List<Row> rows, List<Row> chosen, List<BenchTarget> targets, TimeSpan elapsed, string log)
    {
        var invariant = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(string.Create(invariant,
            $"Command: `nice -n 10 ./run bench privacy --partitions {settings.Partitions} --teacher-epochs {settings.TeacherEpochs} --student-steps {settings.StudentSteps} --epsilons {settings.Epsilons} --sigmas {settings.Sigmas} --alpha {settings.Alpha} --seed {settings.Seed}` ({elapsed.TotalMinutes:F0} min on {Environment.ProcessorCount} shared cores, {DateTime.UtcNow:yyyy-MM-dd})."));
        text.AppendLine();
        text.AppendLine(string.Create(invariant,
            $"{Hospitals} hospitals hold a Dirichlet(α = {settings.Alpha}) split of 50,000 Fashion-MNIST training images, as in the demo; each splits its share into {settings.Partitions} disjoint partitions, one MLP 784-256-128-10 teacher per partition ({teachers} teachers, mean test accuracy {meanTeacher:F4}; their exact plurality vote scores {voteAccuracy:F4} on the test set). " +
            $"The public set is the demo's 10,000 held-out training images: the first 1,000 (labeled) are the validation set that picks σ, the other 9,000 are the queries. GNMax answers the first Q queries, Q as large as the ε target allows by the data-independent bound (δ = 1e-5, improved conversion); a small-CNN student trains on the answered queries' noisy labels for {settings.StudentSteps} steps of 128, and is evaluated on the 10,000 test images."));
        text.AppendLine();
        text.AppendLine("Chosen per ε (σ by validation accuracy):");
        text.AppendLine();
        text.AppendLine("| setting | σ | labeled queries | labels correct | ε (data-independent) | ε (data-dependent, not private) | student test accuracy |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in chosen.Prepend(rows[0]))
            text.AppendLine(string.Create(invariant,
                $"| {row.Setting} | {(row.Sigma == 0 ? "–" : row.Sigma.ToString("G", invariant))} | {row.Queries} | {row.LabelAccuracy:F4} | {(double.IsInfinity(row.Epsilon) ? "∞" : row.Epsilon.ToString("F2", invariant))} | {(double.IsInfinity(row.DataDependentEpsilon) ? "∞" : row.DataDependentEpsilon.ToString("F2", invariant))} | {row.TestAccuracy:F4} |"));
        text.AppendLine();
        text.AppendLine("Every σ tried:");
        text.AppendLine();
        text.AppendLine("| setting | σ | labeled queries | labels correct | ε | student validation accuracy | student test accuracy |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in rows.Skip(1))
            text.AppendLine(string.Create(invariant, $"| {row.Setting} | {row.Sigma} | {row.Queries} | {row.LabelAccuracy:F4} | {row.Epsilon:F2} | {row.ValidationAccuracy:F4} | {row.TestAccuracy:F4} |"));
        text.AppendLine();
        MarkdownSection.AppendTargetsAndLog(text, targets, log);
        var root = Environment.GetEnvironmentVariable("FEDDISTILL_REPO_ROOT") ?? Directory.GetCurrentDirectory();
        MarkdownSection.Write(Path.Combine(root, settings.Output), Heading, text.ToString());
    }

    private static double[] ParseList(string text, string option)
    {
        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parsed = new List<double>();
        foreach (var value in values)
        {
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !(number > 0) || !double.IsFinite(number))
                throw new BenchUsageException("privacy", $"{option} takes positive numbers separated by commas; got '{text}'.");
            parsed.Add(number);
        }

        if (parsed.Count == 0) throw new BenchUsageException("privacy", $"{option} needs at least one value.");
        return parsed.ToArray();
    }

    private static Settings Parse(string[] args)
    {
        var settings = new Settings();
        var reader = new ArgumentReader("privacy", args);
        while (reader.TryNext(out var option))
        {
            settings = option switch
            {
                "--partitions" => settings with { Partitions = reader.Int(option, minimum: 1) },
                "--teacher-epochs" => settings with { TeacherEpochs = reader.Int(option, minimum: 1) },
                "--student-steps" => settings with { StudentSteps = reader.Int(option, minimum: 1) },
                "--epsilons" => settings with { Epsilons = reader.Value(option) },
                "--sigmas" => settings with { Sigmas = reader.Value(option) },
                "--alpha" => settings with { Alpha = reader.PositiveDouble(option) },
                "--seed" => settings with { Seed = reader.UnsignedLong(option) },
                "--output" => settings with { Output = reader.Value(option) },
                _ => throw reader.Unknown(option),
            };
        }

        return settings;
    }
}
