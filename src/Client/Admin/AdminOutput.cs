using System.Globalization;
using System.Text.Json.Serialization;

namespace FedDistill.Client.Admin;

/// <summary>What a <c>feddistill admin</c> command created: printed for people, or as JSON with <c>--json</c>.</summary>
/// <param name="Kind"><c>ca</c>, <c>participant</c>, <c>admin</c> or <c>server</c>.</param>
/// <param name="Name">The federation name (CA), participant id, admin name or server certificate name.</param>
/// <param name="Certificate">Absolute path of the PEM certificate.</param>
/// <param name="Key">Absolute path of the PEM private key (mode 0600).</param>
/// <param name="NotBefore">Start of validity (UTC).</param>
/// <param name="NotAfter">End of validity (UTC).</param>
/// <param name="Thumbprint">SHA-256 thumbprint of the certificate, hex.</param>
/// <param name="Hosts">The server certificate's host names and IP addresses; null for the others.</param>
internal sealed record AdminOutput(
    string Kind,
    string Name,
    string Certificate,
    string Key,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Thumbprint,
    IReadOnlyList<string>? Hosts = null)
{
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, AdminJsonContext.Default.AdminOutput);

    public string ToText()
    {
        var until = NotAfter.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var headline = Kind == "ca"
            ? $"Created the certificate authority of federation '{Name}' (valid until {until})."
            : $"Issued the {Kind} certificate '{Name}' (valid until {until}).";
        var keyNote = Kind switch
        {
            "ca" => "keep it secret and offline; only the admin issues certificates with it",
            "server" => "install it on the silo only",
            _ => $"hand it to '{Name}' over a channel you trust, and to no one else",
        };
        var lines = new List<string>
        {
            headline,
            $"  certificate  {Certificate}" + (Kind == "ca" ? "  (every silo and participant trusts this file)" : ""),
            $"  private key  {Key}  ({keyNote})",
            $"  SHA-256      {Thumbprint}",
        };
        if (Hosts is { Count: > 0 }) lines.Add($"  hosts        {string.Join(", ", Hosts)}");
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Source-generated JSON for <see cref="AdminOutput"/> (camelCase, trimming- and AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdminOutput))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
