using System.Text.Json;
using System.Text.Json.Nodes;
using FedDistill.Client.Operator;
using FedDistill.Client.Tests.Support;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Tests;

/// <summary>The console's side of the privacy budget: set at <c>federation create</c>, shown by <c>federation show</c> and <c>rounds list</c>.</summary>
public sealed class PrivacyConsoleTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    /// <summary><c>federation create --epsilon --delta</c> writes the budget into the aggregator's settings (Aggregator:Privacy).</summary>
    [Fact]
    public async Task Federation_create_writes_the_privacy_budget_into_the_aggregator_settings()
    {
        var folder = Path.Combine(_work.Path, "private");
        var created = await ConsoleRunner.RunAsync(["federation", "create", "--dir", folder, "--name", "private", "--host", "127.0.0.1",
            "--participant", "hospital-1", "--epsilon", "4", "--delta", "1e-6", "--json"]);
        Assert.True(created.ExitCode == 0, created.ToString());

        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "aggregator", "appsettings.json")))!;
        var privacy = settings["FedDistill"]?["Aggregator"]?["Privacy"] ?? settings["Aggregator"]?["Privacy"];
        Assert.NotNull(privacy);
        Assert.Equal(4.0, (double)privacy!["Epsilon"]!);
        Assert.Equal(1e-6, (double)privacy["Delta"]!);
    }

    /// <summary>A non-positive budget is a usage error (exit 2) and writes nothing.</summary>
    [Fact]
    public async Task A_bad_budget_is_refused_and_nothing_is_written()
    {
        var folder = Path.Combine(_work.Path, "refused");
        var refused = await ConsoleRunner.RunAsync(["federation", "create", "--dir", folder, "--name", "refused", "--host", "127.0.0.1", "--epsilon", "-1"]);

        Assert.Equal(OperatorExitCodes.InvalidUsage, refused.ExitCode);
        Assert.Contains("--epsilon is -1", refused.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    /// <summary><c>rounds list</c> shows a private round's ε and δ, and a dash for a round without a guarantee; <c>federation show</c> shows the ledger.</summary>
    [Fact]
    public void Rounds_and_federation_text_show_epsilon_and_delta()
    {
        var result = new RoundResult(1, "ab", "cd", 0.8, 0.7, 0.1, [], 10, 0, 1, 2, 0, Epsilon: 3.61234, Delta: 1e-5, AnsweredExamples: 500);
        var opened = DateTimeOffset.Parse("2026-12-02T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var rounds = new[]
        {
            new RoundInfo(1, RoundState.Completed, new RoundSettings { Strategy = RoundSettings.PrivateStrategy }, opened, opened, opened, ["hospital-1"], result, null),
            new RoundInfo(2, RoundState.Failed, new RoundSettings(), opened, opened, opened, [], null, "quorum not reached"),
        };

        var table = FederationText.Rounds(rounds);
        Assert.Contains("ε (δ)", table, StringComparison.Ordinal);
        Assert.Contains("3.612 (1E-05)", table, StringComparison.Ordinal);
        Assert.Contains("500 public examples answered", FederationText.Round(rounds[0]), StringComparison.Ordinal);

        var info = new FederationInfo("f", new PublicSetSpec(), "00", 500, 10, 1, "{}", new PrivacyLedger(8, 1e-5, 3.61234, 1));
        Assert.Contains("spent ε = 3.612 of a budget of ε = 8 at δ = 1E-05 over 1 pate-gnmax round(s)", FederationText.Describe(info), StringComparison.Ordinal);
        Assert.Contains("no budget", FederationText.Describe(info with { Privacy = null }), StringComparison.Ordinal);
    }
}
