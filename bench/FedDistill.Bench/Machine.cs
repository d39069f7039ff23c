namespace FedDistill.Bench;

/// <summary>What the benchmark sections say about the machine they ran on.</summary>
public static class Machine
{
    /// <summary>The CPU's model name from /proc/cpuinfo, or "unknown CPU".</summary>
    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    /// <summary>The 1-, 5- and 15-minute load averages from /proc/loadavg ("1.00 0.80 0.50"), or "unknown": how busy the shared cores were.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
