namespace FedDistill.Grains.Hosting;

/// <summary>
/// The clock the federation's deadlines and timestamps read: a keyed <see cref="TimeProvider"/>,
/// apart from the one Orleans drives its timers with, so a test can move deadlines with a fake
/// clock while the grains' timers keep ticking in real time.
/// </summary>
public static class FederationClock
{
    /// <summary>The service key of the federation's <see cref="TimeProvider"/>.</summary>
    public const string Key = "feddistill";
}
