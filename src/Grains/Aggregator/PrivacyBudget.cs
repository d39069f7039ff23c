using System.Globalization;
using FedDistill.Distillation.Privacy;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// The federation's privacy accounting: what completed <c>pate-gnmax</c> rounds spent (their
/// Rényi-DP summed order by order), what a new round could spend at worst, and the refusal of a
/// round that would exceed the budget. Data-independent bounds only: they depend on the settings
/// and counts, never on the votes, so the numbers themselves can be published.
/// </summary>
internal sealed class PrivacyBudget(PrivacyOptions options, int publicExamples)
{
    /// <summary>δ of every ε the federation states.</summary>
    public double Delta => options.Delta;

    /// <summary>The cost of one completed round: every threshold check over the public set, and GNMax on its answered examples.</summary>
    public static RenyiAccountant RoundCost(RoundSettings settings, int publicExamples, int answered)
    {
        var accountant = new RenyiAccountant();
        if (settings.Threshold > 0) accountant.AddThresholdCheck(settings.ThresholdSigma, publicExamples);
        accountant.AddGnMax(settings.NoiseSigma, answered);
        return accountant;
    }

    /// <summary>What the completed private rounds spent together.</summary>
    public RenyiAccountant Spent(IEnumerable<RoundRecord> rounds)
    {
        var total = new RenyiAccountant();
        foreach (var round in rounds)
        {
            if (round is { State: RoundState.Completed, Result.AnsweredExamples: { } answered } && round.Settings.IsPrivate)
                total.Add(RoundCost(round.Settings, publicExamples, answered));
        }

        return total;
    }

    /// <summary>The ledger to publish, or null without a budget.</summary>
    public PrivacyLedger? Ledger(IEnumerable<RoundRecord> rounds)
    {
        if (options.Epsilon is not { } budget) return null;
        var completed = rounds.Where(round => round is { State: RoundState.Completed, Result.AnsweredExamples: not null } && round.Settings.IsPrivate).ToList();
        return new PrivacyLedger(budget, Delta, Spent(completed).GetPrivacySpent(Delta).Epsilon, completed.Count);
    }

    /// <summary>
    /// Checks that a round with <paramref name="settings"/> may open: with a budget, it must be
    /// private, and the spent total plus its worst case (every example answered) must stay within
    /// the budget.
    /// </summary>
    /// <exception cref="FederationException">The round is refused; the message gives the numbers.</exception>
    public void RequireAffordable(RoundSettings settings, IEnumerable<RoundRecord> rounds)
    {
        if (options.Epsilon is not { } budget) return;
        if (!settings.IsPrivate)
            throw new FederationException(FederationErrorKind.Conflict, "not-private",
                $"This federation has a privacy budget (ε = {Format(budget)}, δ = {Format(Delta)}); only '{RoundSettings.PrivateStrategy}' rounds may run, not '{settings.Strategy}'.");

        var spent = Spent(rounds);
        var before = spent.GetPrivacySpent(Delta).Epsilon;
        spent.Add(RoundCost(settings, publicExamples, publicExamples));
        var after = spent.GetPrivacySpent(Delta).Epsilon;
        if (after > budget)
            throw new FederationException(FederationErrorKind.Conflict, "privacy-budget-exceeded",
                $"This round could spend up to ε = {Format(after - before)} (σ = {Format(settings.NoiseSigma)} on {publicExamples} public examples), taking the federation from ε = {Format(before)} to {Format(after)} at δ = {Format(Delta)}, past its budget of ε = {Format(budget)}: raise RoundSettings.NoiseSigma.");
    }

    private static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
