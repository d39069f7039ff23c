using FedDistill.Grains.Protocol;
using Spectre.Console;

namespace FedDistill.Client.Operator;

/// <summary>
/// The interactive <c>rounds watch</c>: a live Spectre.Console table, one row per participant
/// (status, progress, uploaded or not), with the round's state above it and the student's
/// distillation (epochs done, last loss and accuracy) below, redrawn as each notification arrives.
/// </summary>
public static class LiveRoundView
{
    /// <summary>Whether standard output is a terminal that can redraw a live table.</summary>
    public static bool IsAvailable => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    /// <summary>Runs <paramref name="watch"/>, redrawing the table for every snapshot it reports; returns what it returns.</summary>
    /// <param name="watch">The following loop: it calls the given action with the snapshot after each update.</param>
    public static async Task<RoundInfo> RunAsync(Func<Action<RoundSnapshot>, Task<RoundInfo>> watch)
    {
        ArgumentNullException.ThrowIfNull(watch);
        RoundInfo? final = null;
        await AnsiConsole.Live(new Markup("[grey]waiting for the aggregator...[/]")).AutoClear(false).StartAsync(async context =>
        {
            final = await watch(snapshot =>
            {
                context.UpdateTarget(Render(snapshot));
                context.Refresh();
            }).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return final!;
    }

    /// <summary>The table for one snapshot.</summary>
    public static Table Render(RoundSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var round = snapshot.Round;
        var colour = round.State switch
        {
            RoundState.Completed => "green",
            RoundState.Failed or RoundState.Cancelled => "red",
            RoundState.Distilling => "yellow",
            _ => "blue",
        };
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold {colour}]{Markup.Escape(snapshot.Headline())}[/]")
            .AddColumn("Participant").AddColumn("Name").AddColumn("Status").AddColumn(new TableColumn("Progress").RightAligned()).AddColumn("Uploaded").AddColumn("Last seen");
        foreach (var row in snapshot.Rows())
        {
            table.AddRow(
                Markup.Escape(row.ParticipantId),
                Markup.Escape(row.DisplayName),
                Markup.Escape(row.Status),
                Bar(row.Progress),
                row.Uploaded ? "[green]yes[/]" : "[grey]no[/]",
                Markup.Escape(OperatorFormat.Time(row.LastSeenAt)));
        }

        if (snapshot.LastEpoch is { } epoch)
        {
            var done = round.State == RoundState.Completed ? 1.0 : (double)epoch.Metrics.Epoch / Math.Max(1, epoch.Epochs);
            table.Caption($"distillation {Bar(done)} epoch {epoch.Metrics.Epoch}/{epoch.Epochs}, loss {OperatorFormat.Number(Math.Round(epoch.Metrics.Loss, 4))}, accuracy {OperatorFormat.Accuracy(epoch.Metrics.Accuracy)}");
        }
        else if (round.State == RoundState.Distilling)
        {
            table.Caption($"distillation {Bar(0)}");
        }
        return table;
    }

    private static string Bar(double? progress)
    {
        if (progress is not { } value) return OperatorFormat.Missing;
        const int width = 20;
        var filled = (int)Math.Round(Math.Clamp(value, 0, 1) * width);
        return $"[green]{new string('━', filled)}[/][grey]{new string('━', width - filled)}[/] {OperatorFormat.Percent(value)}";
    }
}
