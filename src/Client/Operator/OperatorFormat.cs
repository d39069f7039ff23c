using System.Globalization;

namespace FedDistill.Client.Operator;

/// <summary>How the console writes numbers, times and hashes in its human output (invariant culture, UTC).</summary>
public static class OperatorFormat
{
    /// <summary>Shown for a value that is not known.</summary>
    public const string Missing = "-";

    /// <summary>A fraction in [0, 1] as a percentage with one decimal, e.g. <c>81.2%</c>.</summary>
    public static string Percent(double? fraction) =>
        fraction is { } value ? (value * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : Missing;

    /// <summary>An accuracy in [0, 1] with four decimals.</summary>
    public static string Accuracy(double? accuracy) => accuracy is { } value ? value.ToString("F4", CultureInfo.InvariantCulture) : Missing;

    /// <summary>A time in UTC to the second.</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : Missing;

    /// <summary>A byte count with thousands separators.</summary>
    public static string Bytes(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";

    /// <summary>Seconds with one decimal.</summary>
    public static string Seconds(double seconds) => seconds.ToString("F1", CultureInfo.InvariantCulture) + " s";

    /// <summary>An invariant number.</summary>
    public static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The first 12 hex digits of a SHA-256, enough to tell artifacts apart in a table.</summary>
    public static string ShortHash(string sha256) => sha256.Length <= 12 ? sha256 : sha256[..12];
}
