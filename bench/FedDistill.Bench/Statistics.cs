namespace FedDistill.Bench;

/// <summary>The summary statistics the runs report.</summary>
public static class Statistics
{
    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count); NaN when there are none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
