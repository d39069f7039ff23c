namespace FedDistill.Silo.Dashboard;

/// <summary>The payload of the <c>ready</c> and <c>heartbeat</c> events: the stream is alive.</summary>
/// <param name="At">The server's time.</param>
/// <param name="HeartbeatSeconds">How often heartbeats come when nothing else happens.</param>
public sealed record DashboardPulse(DateTimeOffset At, int HeartbeatSeconds);
