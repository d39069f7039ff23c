namespace FedDistill.Client.Operator;

/// <summary>How the console reaches the federation, as the options and environment gave it.</summary>
/// <param name="Gateway">The aggregator silo's gateway, <c>host:port</c>.</param>
/// <param name="ClusterId">The federation's cluster id.</param>
/// <param name="Federation">The federation's name (the aggregator grain's key).</param>
/// <param name="Json">Print one JSON document on standard output instead of text.</param>
public sealed record ConnectionSettings(string Gateway, string ClusterId, string Federation, bool Json);
