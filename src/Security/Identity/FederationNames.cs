using System.Net;
using System.Text.RegularExpressions;

namespace FedDistill.Security;

/// <summary>
/// Validation of the names that end up in certificates, file names and URL segments:
/// participant ids, admin names, federation names and server host names.
/// </summary>
/// <remarks>
/// Each <c>Validate*</c> method returns null when the name is valid, otherwise a sentence saying
/// what is wrong and what a valid name looks like, for people to read.
/// </remarks>
public static partial class FederationNames
{
    /// <summary>The identity name that the insecure loopback mode maps to the admin role; reserved, so no participant can take it.</summary>
    public const string ReservedAdminName = "admin";

    /// <summary>The aggregator silo's <c>SiloName</c> and the CN of its certificate; no participant can take it (the aggregator refuses to admit it).</summary>
    public const string AggregatorSite = "aggregator";

    /// <summary>The pattern of participant ids and admin names: lower-case letters, digits and dashes, 1 to 63 characters, not starting with a dash.</summary>
    public const string IdentityNamePattern = "^[a-z0-9][a-z0-9-]{0,62}$";

    [GeneratedRegex(IdentityNamePattern, RegexOptions.CultureInvariant)]
    private static partial Regex IdentityName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex FederationName();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    /// <summary>Checks a participant id (it becomes a file name, a URL segment and a certificate CN).</summary>
    public static string? ValidateParticipantId(string? participantId)
    {
        if (ValidateIdentityName(participantId, "participant id") is { } problem) return problem;
        return participantId switch
        {
            ReservedAdminName => $"participant id '{ReservedAdminName}' is reserved for the admin identity; choose another id.",
            AggregatorSite => $"participant id '{AggregatorSite}' is the aggregator's silo name; choose another id.",
            _ => null,
        };
    }

    /// <summary>Checks an admin name (it becomes a file name and a certificate CN).</summary>
    public static string? ValidateAdminName(string? name) => ValidateIdentityName(name, "admin name");

    /// <summary>Checks the name of a federation (written into the CA's subject).</summary>
    public static string? ValidateFederationName(string? name) =>
        name is not null && FederationName().IsMatch(name)
            ? null
            : $"federation name '{name}' is not valid: use 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit.";

    /// <summary>Checks a server host name or IP address for a server certificate's subject alternative names.</summary>
    public static string? ValidateHostNameOrAddress(string? host)
    {
        if (string.IsNullOrEmpty(host)) return "a server host name must not be empty.";
        if (IPAddress.TryParse(host, out _)) return null;
        if (host.Length > 253) return $"host name '{host}' is longer than 253 characters.";
        var labels = host.Split('.');
        return labels.All(label => DnsLabel().IsMatch(label))
            ? null
            : $"host '{host}' is neither an IP address nor a lower-case DNS name (labels of letters, digits and inner dashes; no wildcards).";
    }

    private static string? ValidateIdentityName(string? name, string what) =>
        name is not null && IdentityName().IsMatch(name)
            ? null
            : $"{what} '{name}' is not valid: use 1 to 63 lower-case letters, digits or dashes, starting with a letter or digit (pattern {IdentityNamePattern}).";
}
