namespace FedDistill.Silo.Dashboard;

/// <summary>Settings of the dashboard and its event stream, bound from <c>FedDistill:Dashboard</c>.</summary>
public sealed record DashboardOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "FedDistill:Dashboard";

    /// <summary>Seconds (1 to 300) between heartbeats on an idle <c>GET /dashboard/api/events</c> stream, so proxies keep it open and clients notice a dead server.</summary>
    public int HeartbeatSeconds { get; init; } = 15;

    /// <summary>Events (16 to 100,000) buffered per subscriber; a subscriber that falls further behind loses the oldest.</summary>
    public int SubscriberBuffer { get; init; } = 1024;

    /// <summary>Every problem with these settings, each naming the property; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (HeartbeatSeconds is < 1 or > 300) errors.Add($"DashboardOptions.HeartbeatSeconds is {HeartbeatSeconds}; it must be in [1, 300].");
        if (SubscriberBuffer is < 16 or > 100_000) errors.Add($"DashboardOptions.SubscriberBuffer is {SubscriberBuffer}; it must be in [16, 100000].");
        return errors;
    }
}
