using System.CommandLine;
using FedDistill.Client.Demo;

namespace FedDistill.Client.Commands;

/// <summary>The <c>feddistill demo</c> command: the main job README's first command runs.</summary>
public static class DemoCommand
{
    /// <summary>Builds the command with its options and defaults.</summary>
    public static Command Create()
    {
        var defaults = new DemoOptions();
        var teacherEpochs = new Option<int>("--teacher-epochs") { Description = "Epochs to train the teacher CNN.", DefaultValueFactory = _ => defaults.TeacherEpochs };
        var studentEpochs = new Option<int>("--student-epochs") { Description = "Epochs to distill the MLP student.", DefaultValueFactory = _ => defaults.StudentEpochs };
        var trainLimit = new Option<int?>("--train-limit") { Description = "Use only the first N training images (quick runs)." };
        var testLimit = new Option<int?>("--test-limit") { Description = "Evaluate on only the first N test images (quick runs)." };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: one per core)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed for initialization and batch order.", DefaultValueFactory = _ => defaults.Seed };
        var dataDirectory = new Option<string?>("--data-dir") { Description = "Directory holding Fashion-MNIST's IDX files (default: Debian's dataset-fashion-mnist)." };

        var command = new Command("demo", "Train a CNN teacher on Fashion-MNIST and distill a small MLP student from it.")
        {
            teacherEpochs, studentEpochs, trainLimit, testLimit, threads, seed, dataDirectory,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = defaults with
            {
                TeacherEpochs = parse.GetValue(teacherEpochs),
                StudentEpochs = parse.GetValue(studentEpochs),
                TrainLimit = parse.GetValue(trainLimit),
                TestLimit = parse.GetValue(testLimit),
                Threads = parse.GetValue(threads) ?? Environment.ProcessorCount,
                Seed = parse.GetValue(seed),
                DataDirectory = parse.GetValue(dataDirectory),
            };
            return await CentralizedDemo.RunAsync(options, Console.Out, cancellationToken);
        });
        return command;
    }
}
