using FedDistill.Grains.Protocol;

namespace FedDistill.Silo.Dashboard;

/// <summary>The answer of <c>GET /dashboard/api/rejections</c>: the most recent refusals and how many of each reason.</summary>
/// <param name="Recent">The newest refusals, newest first (at most the requested number).</param>
/// <param name="CountsByReason">Refusals per reason over the <paramref name="Counted"/> newest ones, most frequent first.</param>
/// <param name="Counted">How many stored refusals the counts cover (at most <see cref="RejectionSummaryBuilder.CountWindow"/>).</param>
public sealed record RejectionSummary(IReadOnlyList<RejectionInfo> Recent, IReadOnlyDictionary<string, int> CountsByReason, int Counted);
