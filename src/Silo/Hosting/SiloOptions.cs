namespace FedDistill.Silo.Hosting;

/// <summary>Which roles this silo hosts; bound from <c>FedDistill:Silo</c>.</summary>
public sealed class SiloOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "FedDistill:Silo";

    /// <summary>The role names a silo can host.</summary>
    public static IReadOnlyList<string> AllowedRoles { get; } = ["aggregator", "participant"];

    /// <summary>Roles, comma-separated: <c>aggregator</c>, <c>participant</c>, or both.</summary>
    public string Roles { get; set; } = "aggregator";

    /// <summary>The parsed, lower-case role names.</summary>
    public IReadOnlyList<string> RoleList => (Roles ?? string.Empty)
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(role => role.ToLowerInvariant()).Distinct().ToList();

    /// <summary>True when the silo hosts the aggregator.</summary>
    public bool HostsAggregator => RoleList.Contains("aggregator");

    /// <summary>True when the silo hosts a participant (client and teachers).</summary>
    public bool HostsParticipant => RoleList.Contains("participant");

    /// <summary>Every problem, naming <c>SiloOptions.Roles</c>; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var roles = RoleList;
        if (roles.Count == 0) return [$"SiloOptions.Roles is empty; allowed: {string.Join(", ", AllowedRoles)} (comma-separated)."];
        return roles.Where(role => !AllowedRoles.Contains(role))
            .Select(role => $"SiloOptions.Roles names '{role}'; allowed: {string.Join(", ", AllowedRoles)}.").ToList();
    }
}
