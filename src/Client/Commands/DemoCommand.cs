using System.CommandLine;
using FedDistill.Client.Demo;

namespace FedDistill.Client.Commands;

/// <summary>The <c>feddistill demo</c> command: the main job README's first command runs.</summary>
public static class DemoCommand
{
    /// <summary>Builds the command with its options and defaults.</summary>
    public static Command Create()
    {
        var defaults = new FederatedDemoOptions();
        var participants = new Option<int>("--participants") { Description = "Hospitals (participant silos).", DefaultValueFactory = _ => defaults.Participants };
        var rounds = new Option<int>("--rounds") { Description = "Rounds: the first one-shot, the rest co-distillation.", DefaultValueFactory = _ => defaults.Rounds };
        var alpha = new Option<double>("--alpha") { Description = "Dirichlet α of the hospitals' label skew.", DefaultValueFactory = _ => defaults.Alpha };
        var teacherEpochs = new Option<int>("--teacher-epochs") { Description = "Epochs of each hospital's teacher training.", DefaultValueFactory = _ => defaults.TeacherEpochs };
        var studentEpochs = new Option<int>("--student-epochs") { Description = "Student epochs per round.", DefaultValueFactory = _ => defaults.StudentEpochs };
        var privateCount = new Option<int>("--private-count") { Description = "Training images split among the hospitals (quick runs: fewer).", DefaultValueFactory = _ => defaults.PrivateCount };
        var publicCount = new Option<int>("--public-count") { Description = "Public images (from training image 50,000 on).", DefaultValueFactory = _ => defaults.PublicCount };
        var publicCopies = new Option<int>("--public-copies") { Description = "Augmented copies of each public image.", DefaultValueFactory = _ => defaults.PublicCopies };
        var testExamples = new Option<int>("--test-examples") { Description = "Test images for evaluation.", DefaultValueFactory = _ => defaults.TestExamples };
        var digestEpochs = new Option<int>("--digest-epochs") { Description = "Co-distillation digest epochs on the last consensus (rounds 2+).", DefaultValueFactory = _ => defaults.DigestEpochs };
        var revisitEpochs = new Option<int>("--revisit-epochs") { Description = "Epochs on private data after the digest.", DefaultValueFactory = _ => defaults.RevisitEpochs };
        var strategy = new Option<string>("--strategy") { Description = "Ensemble strategy.", DefaultValueFactory = _ => defaults.Strategy };
        var lastEnsembleOnly = new Option<bool>("--last-ensemble-only") { Description = "Distill each round's student from that round's ensemble alone, not the average of every round's so far." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the split and the models.", DefaultValueFactory = _ => defaults.Seed };
        var workDirectory = new Option<string>("--work-dir") { Description = "Where certificates, stores and logs go (recreated).", DefaultValueFactory = _ => defaults.WorkDirectory };
        var dataDirectory = new Option<string?>("--data-dir") { Description = "Directory holding Fashion-MNIST's IDX files (default: Debian's dataset-fashion-mnist)." };
        var centralized = new Option<bool>("--centralized") { Description = "Run the single-process centralized demo instead (one CNN teacher, one MLP student)." };

        var command = new Command("demo", "Run a federation on this machine: an aggregator and hospital silos as processes, non-IID Fashion-MNIST, several rounds.")
        {
            participants, rounds, alpha, teacherEpochs, studentEpochs, privateCount, publicCount, publicCopies, testExamples, digestEpochs, revisitEpochs, strategy, lastEnsembleOnly, seed, workDirectory, dataDirectory, centralized,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(centralized))
            {
                var central = new DemoOptions() with { Threads = Environment.ProcessorCount, DataDirectory = parse.GetValue(dataDirectory) };
                return await CentralizedDemo.RunAsync(central, Console.Out, cancellationToken);
            }

            var options = defaults with
            {
                Participants = parse.GetValue(participants),
                Rounds = parse.GetValue(rounds),
                Alpha = parse.GetValue(alpha),
                TeacherEpochs = parse.GetValue(teacherEpochs),
                StudentEpochs = parse.GetValue(studentEpochs),
                PrivateCount = parse.GetValue(privateCount),
                PublicCount = parse.GetValue(publicCount),
                PublicCopies = parse.GetValue(publicCopies),
                TestExamples = parse.GetValue(testExamples),
                DigestEpochs = parse.GetValue(digestEpochs),
                RevisitEpochs = parse.GetValue(revisitEpochs),
                Strategy = parse.GetValue(strategy)!,
                AverageTargets = !parse.GetValue(lastEnsembleOnly),
                Seed = parse.GetValue(seed),
                WorkDirectory = parse.GetValue(workDirectory)!,
                DataDirectory = parse.GetValue(dataDirectory),
            };
            var problems = Validate(options);
            if (problems.Count > 0)
            {
                foreach (var problem in problems) Console.Error.WriteLine($"feddistill demo: {problem}");
                return 2;
            }

            return await FederatedDemo.RunAsync(options, Console.Out, cancellationToken);
        });
        return command;
    }

    private static List<string> Validate(FederatedDemoOptions options)
    {
        var problems = new List<string>();
        if (options.Participants is < 1 or > 20) problems.Add($"--participants is {options.Participants}; it must be in [1, 20].");
        if (options.Rounds is < 1 or > 100) problems.Add($"--rounds is {options.Rounds}; it must be in [1, 100].");
        if (options.PrivateCount is < 100 or > 50_000) problems.Add($"--private-count is {options.PrivateCount}; it must be in [100, 50000].");
        if (options.PublicCount is < 100 or > 10_000) problems.Add($"--public-count is {options.PublicCount}; it must be in [100, 10000].");
        if (options.DigestEpochs is < 0 or > 100) problems.Add($"--digest-epochs is {options.DigestEpochs}; it must be in [0, 100].");
        if (options.RevisitEpochs is < 0 or > 100) problems.Add($"--revisit-epochs is {options.RevisitEpochs}; it must be in [0, 100].");
        if (options.PublicCopies is < 0 or > 9) problems.Add($"--public-copies is {options.PublicCopies}; it must be in [0, 9].");
        if (options.TestExamples is < 0 or > 10_000) problems.Add($"--test-examples is {options.TestExamples}; it must be in [0, 10000].");
        return problems;
    }
}
