using System.CommandLine;

namespace FedDistill.Client.Operator;

/// <summary>
/// The options every operator command shares: the aggregator silo's gateway, the cluster and the
/// federation, the admin's certificate for the gateway's mutual TLS, and <c>--json</c>. Each option falls back to its environment variable, then to
/// the local default, so a shell can set them once.
/// </summary>
public sealed class ConnectionOptions
{
    /// <summary>Environment variable for <c>--gateway</c>.</summary>
    public const string GatewayVariable = "FEDDISTILL_GATEWAY";

    /// <summary>Environment variable for <c>--cluster</c>.</summary>
    public const string ClusterVariable = "FEDDISTILL_CLUSTER";

    /// <summary>Environment variable for <c>--federation</c>.</summary>
    public const string FederationVariable = "FEDDISTILL_FEDERATION";

    /// <summary>Environment variable for <c>--ca</c>.</summary>
    public const string CaVariable = "FEDDISTILL_CA";

    /// <summary>Environment variable for <c>--cert</c>.</summary>
    public const string CertificateVariable = "FEDDISTILL_CERT";

    /// <summary>Environment variable for <c>--key</c>.</summary>
    public const string KeyVariable = "FEDDISTILL_KEY";

    /// <summary>The gateway of a silo started with the defaults on this machine.</summary>
    public const string DefaultGateway = "127.0.0.1:30000";

    /// <summary>The default cluster id and federation name.</summary>
    public const string DefaultName = "feddistill";

    private readonly Option<string?> _gateway = new("--gateway")
    {
        Description = $"The aggregator silo's Orleans gateway, host:port (default: ${GatewayVariable}, else {DefaultGateway}).",
    };

    private readonly Option<string?> _cluster = new("--cluster") { Description = $"The federation's cluster id (default: ${ClusterVariable}, else {DefaultName})." };

    private readonly Option<string?> _federation = new("--federation") { Description = $"The federation's name (default: ${FederationVariable}, else {DefaultName})." };

    private readonly Option<string?> _ca = new("--ca") { Description = $"The federation's CA certificate, ca.crt (default: ${CaVariable})." };

    private readonly Option<string?> _certificate = new("--cert") { Description = $"The admin's certificate, PEM, from 'feddistill admin issue admin' (default: ${CertificateVariable})." };

    private readonly Option<string?> _key = new("--key") { Description = $"The admin certificate's private key, PEM (default: ${KeyVariable})." };

    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON document on standard output instead of text." };

    /// <summary>Adds the shared options to <paramref name="command"/> and returns it.</summary>
    public Command AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(_gateway);
        command.Options.Add(_cluster);
        command.Options.Add(_federation);
        command.Options.Add(_ca);
        command.Options.Add(_certificate);
        command.Options.Add(_key);
        command.Options.Add(_json);
        return command;
    }

    /// <summary>The settings of one invocation: each option, else its environment variable, else the default.</summary>
    public ConnectionSettings Resolve(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new ConnectionSettings(
            OrEnvironment(parse.GetValue(_gateway), GatewayVariable, DefaultGateway),
            OrEnvironment(parse.GetValue(_cluster), ClusterVariable, DefaultName),
            OrEnvironment(parse.GetValue(_federation), FederationVariable, DefaultName),
            parse.GetValue(_json),
            OrEnvironment(parse.GetValue(_ca), CaVariable, null),
            OrEnvironment(parse.GetValue(_certificate), CertificateVariable, null),
            OrEnvironment(parse.GetValue(_key), KeyVariable, null));
    }

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(fallback))]
    private static string? OrEnvironment(string? value, string variable, string? fallback)
    {
        if (!string.IsNullOrWhiteSpace(value)) return value;
        var fromEnvironment = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? fallback : fromEnvironment;
    }
}
