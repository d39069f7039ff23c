namespace FedDistill.Serving.Endpoints;

/// <summary><c>GET /healthz</c>: the server is up and its batch loop takes requests.</summary>
/// <param name="Status">Always <c>ok</c> when it answers.</param>
/// <param name="QueueDepth">Requests waiting for a batch.</param>
public sealed record HealthReport(string Status, int QueueDepth);
