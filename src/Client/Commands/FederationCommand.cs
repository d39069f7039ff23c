using System.CommandLine;
using FedDistill.Client.Operator;
using FedDistill.Grains.Protocol;
using FedDistill.Security;

namespace FedDistill.Client.Commands;

/// <summary>The <c>feddistill federation</c> commands: what the aggregator says of its federation.</summary>
/// <remarks>Exit codes: see <see cref="OperatorExitCodes"/> and docs/console.md.</remarks>
public static class FederationCommand
{
    /// <summary>Builds <c>federation</c> with its <c>create</c> and <c>show</c> subcommands.</summary>
    public static Command Create() => new("federation", "The federation the aggregator runs.")
    {
        CreateFederation(),
        OperatorCommand.Create("show", "Show the federation: name, public set and its fingerprint, student model, newest student.", "federation show", [],
            async (_, session, cancellationToken) =>
            {
                var info = await (await session.AggregatorAsync(cancellationToken)).GetFederationAsync().WaitAsync(cancellationToken);
                session.Write(info, ProtocolJsonContext.Default.FederationInfo, FederationText.Describe);
                return OperatorExitCodes.Succeeded;
            }),
    };

    // Local work only (no aggregator yet): a CA, certificates and one settings file per silo.
    private static Command CreateFederation()
    {
        var directory = new Option<string?>("--dir") { Description = "The new federation's folder (pki/, aggregator/, one folder per participant). Required." };
        var name = new Option<string?>("--name") { Description = "The federation's name. Required." };
        var hosts = new Option<string[]>("--host") { Description = "Host name or IP participants dial the aggregator at (repeatable; the first goes into their settings). Required.", AllowMultipleArgumentsPerToken = false };
        var listen = new Option<string>("--listen") { Description = "The aggregator's listening URL.", DefaultValueFactory = _ => "https://0.0.0.0:7443" };
        var participants = new Option<string[]>("--participant") { Description = "A participant id to issue a silo certificate and settings for (repeatable)." };
        var json = new Option<bool>("--json") { Description = "Print the files written as a JSON array." };
        var epsilon = new Option<double?>("--epsilon") { Description = "A differential-privacy budget ε > 0 for the whole federation: only pate-gnmax rounds run, and a round that could exceed it is refused. None by default." };
        var delta = new Option<double>("--delta") { Description = "The δ in (0, 1) of the budget and of every round's ε.", DefaultValueFactory = _ => 1e-5 };
        var defaults = new DeploymentSettings();
        var user = new Option<string>("--user") { Description = "The system user each silo's systemd unit runs as.", DefaultValueFactory = _ => defaults.User };
        var installDirectory = new Option<string>("--install-dir") { Description = "Where each site's kit folder is copied on its machine (the unit's content root is <dir>/<site>).", DefaultValueFactory = _ => defaults.InstallDirectory };
        var siloDirectory = new Option<string>("--silo-dir") { Description = "Where the published silo lies on each machine (feddistill-silo.dll).", DefaultValueFactory = _ => defaults.SiloDirectory };
        var image = new Option<string>("--image") { Description = "The silo's container image, for the aggregator's Kubernetes manifest.", DefaultValueFactory = _ => defaults.Image };
        var command = new Command("create", "Create a new federation locally: its CA, the admin's certificate, and a kit per silo (its certificate and key, the CA certificate, its settings, its systemd unit; for the aggregator also a Kubernetes manifest).")
        {
            directory, name, hosts, listen, participants, epsilon, delta, user, installDirectory, siloDirectory, image, json,
        };
        command.SetAction(parse =>
        {
            try
            {
                var folder = parse.GetValue(directory);
                var federationName = parse.GetValue(name);
                if (string.IsNullOrWhiteSpace(folder)) throw new ArgumentException("--dir is required: the new federation's folder.");
                if (string.IsNullOrWhiteSpace(federationName)) throw new ArgumentException("--name is required: the federation's name, e.g. --name lakeside-hospitals.");
                var budget = parse.GetValue(epsilon);
                var budgetDelta = parse.GetValue(delta);
                if (budget is { } e && !(e > 0 && double.IsFinite(e))) throw new ArgumentException($"--epsilon is {e}; it must be positive and finite.");
                if (!(budgetDelta > 0 && budgetDelta < 1)) throw new ArgumentException($"--delta is {budgetDelta}; it must lie in (0, 1).");
                var deployment = new DeploymentSettings(parse.GetValue(user)!, parse.GetValue(installDirectory)!, parse.GetValue(siloDirectory)!, parse.GetValue(image)!);
                var written = FederationScaffold.Create(folder, federationName, parse.GetValue(hosts) ?? [], parse.GetValue(listen)!, parse.GetValue(participants) ?? [],
                    budget, budgetDelta, deployment);
                if (parse.GetValue(json))
                {
                    Console.Out.WriteLine(new System.Text.Json.Nodes.JsonArray(written.Select(path => (System.Text.Json.Nodes.JsonNode?)path).ToArray()).ToJsonString());
                }
                else
                {
                    foreach (var path in written) Console.Out.WriteLine($"wrote {path}");
                    Console.Out.WriteLine($"start the aggregator: feddistill-silo --contentRoot {Path.Combine(Path.GetFullPath(folder), "aggregator")}");
                    Console.Out.WriteLine($"connect the console with the admin's certificate: --ca {Path.Combine(Path.GetFullPath(folder), "pki", "ca", "ca.crt")} --cert {Path.Combine(Path.GetFullPath(folder), "pki", "admin", "admin.crt")} --key {Path.Combine(Path.GetFullPath(folder), "pki", "admin", "admin.key")}");
                    Console.Out.WriteLine("then admit each participant (feddistill participants add ID) and hand it its kit, the folder <id>/ (its certificate, key, ca.crt, appsettings.json and systemd unit).");
                    Console.Out.WriteLine($"each site installs its kit in {deployment.InstallDirectory}/<site> and runs its unit feddistill-<site>.service; the aggregator may run in Kubernetes instead (aggregator/{KubernetesManifest.FileName}); see deploy/README.md.");
                }

                return OperatorExitCodes.Succeeded;
            }
            catch (ArgumentException problem)
            {
                Console.Error.WriteLine($"feddistill federation create: {problem.Message}");
                return OperatorExitCodes.InvalidUsage;
            }
            catch (Exception problem) when (problem is CertificateAuthorityException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"feddistill federation create: {problem.Message}");
                return OperatorExitCodes.Failed;
            }
        });
        return command;
    }
}
