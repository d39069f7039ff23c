using System.CommandLine;
using System.Security.Cryptography;
using FedDistill.Client.Admin;
using FedDistill.Security;

namespace FedDistill.Client.Commands;

/// <summary>
/// The <c>feddistill admin</c> commands: create the federation's CA and issue silo, admin
/// and server certificates from it (PEM files; see docs/security.md).
/// </summary>
/// <remarks>
/// Exit codes: <see cref="Succeeded"/>, <see cref="Failed"/> (files missing, corrupt or already
/// there, I/O errors; the reason and what to do on standard error) and <see cref="InvalidInput"/>
/// (a missing or invalid option; nothing was written).
/// </remarks>
public static class AdminCommand
{
    /// <summary>The files were written.</summary>
    public const int Succeeded = 0;

    /// <summary>Something other than the options failed: a missing or corrupt CA, files that exist, an I/O error.</summary>
    public const int Failed = 1;

    /// <summary>An option is missing or invalid (a name, a host, a validity); nothing was written.</summary>
    public const int InvalidInput = 2;

    private const int DefaultCaValidityDays = 3650;

    /// <summary>Builds <c>admin</c> with its <c>ca</c> and <c>issue</c> subcommands.</summary>
    public static Command Create() => new("admin", "Run the federation's certificate authority: create it, issue silo, admin and server certificates.")
    {
        new Command("ca", "The federation's certificate authority.") { CreateCa() },
        new Command("issue", "Issue a certificate from the federation's CA.") { IssueSilo(), IssueAdmin(), IssueServer() },
    };

    private static Command CreateCa()
    {
        var directory = new Option<string?>("--dir") { Description = "Directory for ca.crt and ca.key (created, owner-only). Required." };
        var name = new Option<string?>("--name") { Description = "The federation's name, written into the CA (letters, digits, spaces, . _ -). Required." };
        var validity = ValidityOption(DefaultCaValidityDays);
        var force = ForceOption("Replace an existing CA (every certificate it issued stops working).");
        var json = JsonOption();
        var command = new Command("create", "Create the federation's CA (ECDSA P-256, self-signed).") { directory, name, validity, force, json };
        command.SetAction(parse => Run("admin ca create", parse.GetValue(json), Console.Out, Console.Error, () =>
        {
            var days = Days(parse.GetValue(validity));
            using var authority = CertificateAuthority.Create(
                Require(parse.GetValue(directory), "--dir", "the directory to hold ca.crt and ca.key"),
                Require(parse.GetValue(name), "--name", "the federation's name, e.g. --name lakeside-hospitals"),
                days, parse.GetValue(force));
            using var certificate = authority.GetPublicCertificate();
            return new AdminOutput("ca", authority.FederationName, authority.CertificatePath, authority.KeyPath,
                certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), certificate.GetCertHashString(HashAlgorithmName.SHA256));
        }));
        return command;
    }

    private static Command IssueSilo()
    {
        var (caDirectory, output, validity, force, json) = IssueOptions();
        var site = new Option<string?>("--site") { Description = $"The silo's SiloName: '{FederationNames.AggregatorSite}' or an organization's id (pattern {FederationNames.IdentityNamePattern}); names the files <site>.crt and <site>.key. Required." };
        var hosts = new Option<string[]>("--host") { Description = "A DNS name or IP address the silo is reached at (its web side's HTTPS checks it); repeatable, optional.", AllowMultipleArgumentsPerToken = false };
        var command = new Command("silo", "Issue a silo's certificate for the cluster's mutual TLS (and its web side's HTTPS): an organization's, or the aggregator's.") { caDirectory, site, hosts, output, validity, force, json };
        command.SetAction(parse => Issue("admin issue silo", parse, caDirectory, output, validity, json, (authority, directory, days) =>
            authority.IssueSilo(Require(parse.GetValue(site), "--site", "the silo's name, e.g. --site hospital-a or --site aggregator"), parse.GetValue(hosts) ?? [], directory, days, parse.GetValue(force))));
        return command;
    }

    private static Command IssueAdmin()
    {
        var (caDirectory, output, validity, force, json) = IssueOptions();
        var name = new Option<string>("--name") { Description = "The admin's name; names the files <name>.crt and <name>.key.", DefaultValueFactory = _ => FederationNames.ReservedAdminName };
        var command = new Command("admin", "Issue the admin's client certificate (admin operations need it).") { caDirectory, name, output, validity, force, json };
        command.SetAction(parse => Issue("admin issue admin", parse, caDirectory, output, validity, json, (authority, directory, days) =>
            authority.IssueAdmin(Require(parse.GetValue(name), "--name", "the admin's name"), directory, days, parse.GetValue(force))));
        return command;
    }

    private static Command IssueServer()
    {
        var (caDirectory, output, validity, force, json) = IssueOptions();
        var hosts = new Option<string[]>("--host") { Description = "A DNS name or IP address clients dial; repeat for several. At least one.", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string>("--name") { Description = "Names the files <name>.crt and <name>.key.", DefaultValueFactory = _ => CertificateAuthority.DefaultServerName };
        var command = new Command("server", "Issue a silo's TLS server certificate.") { caDirectory, hosts, name, output, validity, force, json };
        command.SetAction(parse => Issue("admin issue server", parse, caDirectory, output, validity, json, (authority, directory, days) =>
        {
            var given = parse.GetValue(hosts) ?? [];
            if (given.Length == 0) throw new ArgumentException("--host is required: a DNS name or IP address clients dial, e.g. --host aggregator.lakeside.example --host 10.0.0.5.");
            return authority.IssueServer(given, directory, Require(parse.GetValue(name), "--name", "the file name stem"), days, parse.GetValue(force));
        }));
        return command;
    }

    private static int Issue(string commandName, ParseResult parse, Option<string?> caDirectory, Option<string?> output, Option<int> validity, Option<bool> json,
        Func<CertificateAuthority, string, TimeSpan, IssuedCertificate> issue) =>
        Run(commandName, parse.GetValue(json), Console.Out, Console.Error, () =>
        {
            var days = Days(parse.GetValue(validity));
            var authorityDirectory = Require(parse.GetValue(caDirectory), "--ca-dir", "the directory holding the federation's ca.crt and ca.key");
            var outputDirectory = Require(parse.GetValue(output), "--out", "the directory to write the certificate and key into");
            using var authority = CertificateAuthority.Load(authorityDirectory);
            var issued = issue(authority, outputDirectory, days);
            return new AdminOutput(FederationRoleNames.ToName(issued.Identity.Role), issued.Identity.Name, issued.CertificatePath, issued.KeyPath,
                issued.NotBefore, issued.NotAfter, issued.Thumbprint, issued.Identity.Role == FederationRole.Server ? parse.GetValue<string[]>("--host") : null);
        });

    /// <summary>Runs one admin action and prints its outcome; returns the exit code.</summary>
    private static int Run(string commandName, bool json, TextWriter output, TextWriter error, Func<AdminOutput> action)
    {
        try
        {
            var result = action();
            output.WriteLine(json ? result.ToJson() : result.ToText());
            return Succeeded;
        }
        catch (ArgumentException exception)
        {
            error.WriteLine($"feddistill {commandName}: {StripParameter(exception)}");
            return InvalidInput;
        }
        catch (CertificateAuthorityException exception)
        {
            error.WriteLine($"feddistill {commandName}: {exception.Message}");
            return Failed;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException)
        {
            error.WriteLine($"feddistill {commandName}: {exception.Message}");
            return Failed;
        }
    }

    private static (Option<string?> CaDirectory, Option<string?> Output, Option<int> Validity, Option<bool> Force, Option<bool> Json) IssueOptions() => (
        new Option<string?>("--ca-dir") { Description = "The directory holding the federation's ca.crt and ca.key. Required." },
        new Option<string?>("--out") { Description = "Directory for the certificate and key (created, owner-only). Required." },
        ValidityOption((int)CertificateAuthority.DefaultCertificateValidity.TotalDays),
        ForceOption("Replace existing files of the same name."),
        JsonOption());

    private static Option<int> ValidityOption(int defaultDays) =>
        new("--validity-days") { Description = "How many days the certificate is valid (never past the CA's end).", DefaultValueFactory = _ => defaultDays };

    private static Option<bool> ForceOption(string description) => new("--force") { Description = description };

    private static Option<bool> JsonOption() => new("--json") { Description = "Print what was written as JSON on standard output." };

    private static string Require(string? value, string option, string what) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{option} is required: {what}.") : value;

    private static TimeSpan Days(int days) =>
        days >= 1 ? TimeSpan.FromDays(days) : throw new ArgumentException($"--validity-days is {days}; it must be at least 1.");

    private static string StripParameter(ArgumentException exception) =>
        exception.ParamName is null ? exception.Message : exception.Message.Replace($" (Parameter '{exception.ParamName}')", "", StringComparison.Ordinal);
}
