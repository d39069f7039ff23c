using System.CommandLine;

namespace FedDistill.Client.Operator;

/// <summary>
/// The options every operator command shares: where the aggregator is, the admin's certificate,
/// the insecure loopback dev mode and <c>--json</c>. Each option falls back to its environment
/// variable, so a shell can set them once.
/// </summary>
public sealed class ConnectionOptions
{
    /// <summary>Environment variable for <c>--aggregator</c>.</summary>
    public const string AggregatorVariable = "FEDDISTILL_AGGREGATOR";

    /// <summary>Environment variable for <c>--ca</c>.</summary>
    public const string CaVariable = "FEDDISTILL_CA";

    /// <summary>Environment variable for <c>--cert</c>.</summary>
    public const string CertificateVariable = "FEDDISTILL_CERT";

    /// <summary>Environment variable for <c>--key</c>.</summary>
    public const string KeyVariable = "FEDDISTILL_KEY";

    private readonly Option<string?> _aggregator = new("--aggregator")
    {
        Description = $"The aggregator's URL, e.g. https://aggregator.example:7443 (default: ${AggregatorVariable}).",
    };

    private readonly Option<string?> _ca = new("--ca") { Description = $"The federation's ca.crt (default: ${CaVariable})." };

    private readonly Option<string?> _certificate = new("--cert")
    {
        Description = $"The admin's certificate from 'feddistill admin issue admin' (default: ${CertificateVariable}).",
    };

    private readonly Option<string?> _key = new("--key") { Description = $"The admin's private key (default: ${KeyVariable})." };

    private readonly Option<bool> _insecure = new("--insecure-loopback")
    {
        Description = "Dev mode: plain HTTP/2 to http://127.0.0.1, claiming the identity 'admin' (the silo must run in insecure-loopback mode).",
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON document on standard output instead of text." };

    /// <summary>Adds the shared options to <paramref name="command"/> and returns it.</summary>
    public Command AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(_aggregator);
        command.Options.Add(_ca);
        command.Options.Add(_certificate);
        command.Options.Add(_key);
        command.Options.Add(_insecure);
        command.Options.Add(_json);
        return command;
    }

    /// <summary>The settings of one invocation: each option, else its environment variable.</summary>
    public ConnectionSettings Resolve(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new ConnectionSettings(
            OrEnvironment(parse.GetValue(_aggregator), AggregatorVariable),
            OrEnvironment(parse.GetValue(_ca), CaVariable),
            OrEnvironment(parse.GetValue(_certificate), CertificateVariable),
            OrEnvironment(parse.GetValue(_key), KeyVariable),
            parse.GetValue(_insecure),
            parse.GetValue(_json));
    }

    private static string? OrEnvironment(string? value, string variable)
    {
        if (!string.IsNullOrWhiteSpace(value)) return value;
        var fromEnvironment = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment;
    }
}
