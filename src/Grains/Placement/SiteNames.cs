namespace FedDistill.Grains.Placement;

/// <summary>
/// Where grains live. Every silo's <c>SiloName</c> is its site: <see cref="Aggregator"/> for the
/// aggregator's silo, an organization's id for that organization's silo.
/// </summary>
public static class SiteNames
{
    /// <summary>The aggregator silo's name; no organization may take it.</summary>
    public const string Aggregator = "aggregator";

    /// <summary>The organization a client or teacher grain key belongs to: the key up to its first '/'.</summary>
    /// <param name="grainKey"><c>organization</c> (client grain) or <c>organization/teacher</c> (teacher grain).</param>
    public static string OrganizationOf(string grainKey)
    {
        ArgumentNullException.ThrowIfNull(grainKey);
        var slash = grainKey.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? grainKey : grainKey[..slash];
    }

    /// <summary>A teacher grain's key.</summary>
    public static string TeacherKey(string organization, string teacherId) => $"{organization}/{teacherId}";
}
