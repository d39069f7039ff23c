namespace FedDistill.Silo.Dashboard;

/// <summary>One server-sent event of <c>GET /v1/events</c>: its type and its JSON payload, serialized once for every subscriber.</summary>
/// <param name="Type">
/// The event name: <c>round</c> (a <c>RoundInfo</c>), <c>upload</c> (an <c>UploadReceipt</c>),
/// <c>rejection</c> (a <c>RejectionRecord</c>), <c>participant</c> (a <c>ParticipantInfo</c>),
/// <c>ready</c> and <c>heartbeat</c> (a <c>DashboardPulse</c>).
/// </param>
/// <param name="Data">The payload, JSON on one line (camelCase, as the rest of the API).</param>
public sealed record DashboardEvent(string Type, string Data);
