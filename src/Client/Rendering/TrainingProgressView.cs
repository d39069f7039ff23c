using System.Globalization;
using FedDistill.Distillation.Training;
using Spectre.Console;

namespace FedDistill.Client.Rendering;

/// <summary>
/// Shows a training run: a live progress bar per epoch on an interactive terminal, and one line
/// per finished epoch everywhere (so logs and CI output show progress too).
/// </summary>
public static class TrainingProgressView
{
    /// <summary>Runs <paramref name="train"/>, rendering the progress it reports under <paramref name="title"/>.</summary>
    public static TrainingSummary Run(string title, Func<IProgress<TrainingProgress>, TrainingSummary> train)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
            return train(new SynchronousProgress<TrainingProgress>(report => { if (report.EpochCompleted) WriteEpochLine(title, report); }));

        TrainingSummary? summary = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask? task = null;
                summary = train(new SynchronousProgress<TrainingProgress>(report =>
                {
                    if (task is null || report.Step == 1)
                    {
                        task = context.AddTask(Describe(title, report), maxValue: report.StepsPerEpoch);
                    }
                    task.Value = report.Step;
                    task.Description = Describe(title, report);
                }));
            });
        return summary!;
    }

    private static string Describe(string title, TrainingProgress report) =>
        string.Create(CultureInfo.InvariantCulture, $"{Markup.Escape(title)} epoch {report.Epoch}/{report.Epochs} loss {report.Loss:F4} {report.SamplesPerSecond:F0}/s");

    private static void WriteEpochLine(string title, TrainingProgress report) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{title} epoch {report.Epoch}/{report.Epochs}: loss {report.Loss:F4}, lr {report.LearningRate:G3}, {report.SamplesPerSecond:F0} samples/s"));
}
