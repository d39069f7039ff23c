using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FedDistill.Client.Operator;
using FedDistill.Grains;
using FedDistill.Grains.Protocol;
using FedDistill.Security;

namespace FedDistill.Client.Federation;

/// <summary>
/// A federation on one machine: an Orleans cluster of an aggregator silo and N hospital silos,
/// each its own process on loopback, sharing a membership table in Azure Storage (Azurite), each
/// site with its own tables and containers. The demo, the end-to-end tests and the federation
/// benchmark all run on it; the console connects to it as an Orleans client. Every Orleans
/// connection is mutual TLS: a CA made for this federation under <c>pki/</c> of the work
/// directory issues each silo's certificate and the admin's, which this process connects with.
/// </summary>
public sealed class LocalFederation : IAsyncDisposable
{
    /// <summary>The environment variable naming the Azure Storage the silos use (default: Azurite on 127.0.0.1).</summary>
    public const string StorageVariable = "FEDDISTILL_STORAGE";

    private const string DevelopmentStorage = "UseDevelopmentStorage=true";

    private readonly LocalFederationOptions _options;
    private readonly string _siloAssembly;
    private readonly List<SiloProcess?> _participants = [];
    private readonly int[] _participantPorts;
    private readonly int[] _participantWebPorts;
    private ClusterConnection? _connection;

    private LocalFederation(LocalFederationOptions options, string siloAssembly)
    {
        _options = options;
        _siloAssembly = siloAssembly;
        WorkDirectory = Path.GetFullPath(options.WorkDirectory);
        ClusterId = options.ClusterId ?? "fd" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..10];
        FederationName = options.AggregatorSettings.TryGetValue("FedDistill:Aggregator:FederationName", out var name) ? name : ConnectionOptions.DefaultName;
        Storage = options.StorageConnectionString ?? Environment.GetEnvironmentVariable(StorageVariable) ?? DevelopmentStorage;
        // Every port at once: a port chosen but not yet bound could be handed out again, and two
        // Orleans silos can bind one port (.NET sets SO_REUSEPORT with ReuseAddress on Linux).
        var ports = FreePorts(3 + 2 * options.Participants);
        (SiloPort, GatewayPort, WebPort) = (ports[0], ports[1], ports[2]);
        _participantPorts = ports[3..(3 + options.Participants)];
        _participantWebPorts = ports[(3 + options.Participants)..];
        PkiDirectory = Path.Combine(WorkDirectory, "pki");
    }

    /// <summary>Raised for every line any silo writes, prefixed with its name.</summary>
    public event Action<string>? OutputLine;

    /// <summary>The work directory (logs).</summary>
    public string WorkDirectory { get; }

    /// <summary>Where the federation's CA (<c>ca/</c>), the silos' certificates and the admin's are.</summary>
    public string PkiDirectory { get; }

    /// <summary>The federation's CA directory (<c>ca.crt</c>, <c>ca.key</c>), for <see cref="CertificateAuthority.Load"/>.</summary>
    public string CaDirectory => Path.Combine(PkiDirectory, "ca");

    /// <summary>The federation's CA certificate every silo and the console trust.</summary>
    public string CaCertificatePath => Path.Combine(CaDirectory, CertificateAuthority.CertificateFileName);

    /// <summary>The admin's certificate (PEM) the console connects with.</summary>
    public string AdminCertificatePath => Path.Combine(PkiDirectory, "admin", "admin.crt");

    /// <summary>The admin certificate's key (PEM).</summary>
    public string AdminKeyPath => Path.Combine(PkiDirectory, "admin", "admin.key");

    /// <summary>The cluster's id (also its service id and the prefix of its tables and containers).</summary>
    public string ClusterId { get; }

    /// <summary>The federation's name.</summary>
    public string FederationName { get; }

    /// <summary>The Azure Storage connection string every silo uses (each site its own tables and containers in it).</summary>
    public string Storage { get; }

    /// <summary>The aggregator silo's silo-to-silo port.</summary>
    public int SiloPort { get; }

    /// <summary>The aggregator silo's gateway port (for consoles).</summary>
    public int GatewayPort { get; }

    /// <summary>The aggregator silo's web port (dashboard, metrics, health).</summary>
    public int WebPort { get; }

    /// <summary>The gateway as <c>host:port</c>, for <c>--gateway</c>.</summary>
    public string Gateway => $"127.0.0.1:{GatewayPort}";

    /// <summary>The aggregator's web root.</summary>
    public Uri WebUrl => new($"http://127.0.0.1:{WebPort}");

    /// <summary>The aggregator process (replaced by <see cref="RestartAggregatorAsync"/>).</summary>
    public SiloProcess? Aggregator { get; private set; }

    /// <summary>The federation's aggregator grain, through this process's Orleans client.</summary>
    public IAggregatorGrain Admin => (_connection ?? throw new InvalidOperationException("The federation has not started.")).Aggregator;

    /// <summary>This process's Orleans client, which hosts observers (the demo's round follower).</summary>
    public IGrainFactory Grains => (_connection ?? throw new InvalidOperationException("The federation has not started.")).Client;

    /// <summary>Participant ids, in order.</summary>
    public IReadOnlyList<string> ParticipantIds => Enumerable.Range(0, _options.Participants).Select(ParticipantId).ToList();

    /// <summary>The id of participant i (0-based).</summary>
    public static string ParticipantId(int index) => $"hospital-{index + 1}";

    /// <summary>The console's connection settings for this federation.</summary>
    public ConnectionSettings ConnectionSettings(bool json = false) => new(Gateway, ClusterId, FederationName, json, CaCertificatePath, AdminCertificatePath, AdminKeyPath);

    /// <summary>Starts the aggregator's silo, connects to it, admits and starts the participants' silos.</summary>
    /// <exception cref="InvalidOperationException">Azure Storage is not reachable, or a silo did not start; the message says why.</exception>
    public static async Task<LocalFederation> StartAsync(LocalFederationOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var federation = new LocalFederation(options, SiloLocator.Find());
        try
        {
            Directory.CreateDirectory(federation.WorkDirectory);
            federation.IssueCertificates();
            await federation.RequireStorageAsync(cancellationToken).ConfigureAwait(false);
            await federation.StartAggregatorAsync(cancellationToken).ConfigureAwait(false);
            if (options.RegisterParticipants)
            {
                foreach (var id in federation.ParticipantIds)
                    await federation.Admin.AdmitAsync(new RegisterParticipantRequest(id, $"Hospital {id[^1..]}")).WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            for (var i = 0; i < options.Participants; i++)
            {
                federation._participants.Add(options.StartParticipants ? federation.StartParticipant(i) : null);
            }

            return federation;
        }
        catch
        {
            await federation.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The running process of participant i, or null when it is stopped.</summary>
    public SiloProcess? Participant(int index) => _participants[index];

    /// <summary>Kills participant i's silo at once, as a crash would.</summary>
    public async Task KillParticipantAsync(int index)
    {
        if (_participants[index] is { } process) await process.DisposeAsync().ConfigureAwait(false);
        _participants[index] = null;
    }

    /// <summary>Starts participant i's silo again (its teachers restore from its own storage).</summary>
    public void RestartParticipant(int index)
    {
        if (_participants[index] is not null) throw new InvalidOperationException($"{ParticipantId(index)} is still running.");
        // A fresh web port: the last process's may still hold connections in TIME_WAIT. The silo port stays (Orleans binds it with address reuse).
        _participantWebPorts[index] = FreePorts(1)[0];
        _participants[index] = StartParticipant(index);
    }

    /// <summary>Kills the aggregator's silo (SIGKILL) and starts it again on the same ports and storage.</summary>
    public async Task RestartAggregatorAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
        _connection = null;
        if (Aggregator is not null) await Aggregator.DisposeAsync().ConfigureAwait(false);
        await StartAggregatorAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last lines of every silo's log, for a failure message.</summary>
    public string Logs() => string.Join('\n', new[] { Aggregator }.Concat(_participants).Where(p => p is not null).Select(p => p!.Tail()));

    /// <summary>Closes the client and kills every silo.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
        foreach (var participant in _participants)
        {
            if (participant is not null) await participant.DisposeAsync().ConfigureAwait(false);
        }

        _participants.Clear();
        if (Aggregator is not null) await Aggregator.DisposeAsync().ConfigureAwait(false);
    }

    // A CA of this federation alone, valid for a day, and a certificate for every site and the admin.
    private void IssueCertificates()
    {
        using var authority = CertificateAuthority.Create(CaDirectory, FederationName, TimeSpan.FromDays(1), overwrite: true);
        authority.IssueSilo(FederationNames.AggregatorSite, ["127.0.0.1"], Path.Combine(PkiDirectory, FederationNames.AggregatorSite), overwrite: true);
        foreach (var id in ParticipantIds) authority.IssueSilo(id, ["127.0.0.1"], Path.Combine(PkiDirectory, id), overwrite: true);
        authority.IssueAdmin("admin", Path.Combine(PkiDirectory, "admin"), overwrite: true);
    }

    private string SiteCertificatePath(string site) => Path.Combine(PkiDirectory, site, site + ".crt");

    private string SiteKeyPath(string site) => Path.Combine(PkiDirectory, site, site + ".key");

    private async Task StartAggregatorAsync(CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>
        {
            ["urls"] = WebUrl.ToString().TrimEnd('/'),
            ["FedDistill:Silo:Role"] = "aggregator",
            ["FedDistill:Silo:GatewayPort"] = GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["FedDistill:Silo:SiloPort"] = SiloPort.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in _options.AggregatorSettings) settings[key] = value;
        // Secure rounds check organizations' keys against the federation's CA.
        settings.TryAdd("FedDistill:Aggregator:CaCertificate", CaCertificatePath);
        Aggregator = Launch("aggregator", SiteSettings("aggregator", settings));
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        while (true)
        {
            if (Aggregator.HasExited) throw new InvalidOperationException($"The aggregator's silo exited with code {Aggregator.ExitCode} while starting.\n{Aggregator.Tail()}");
            try
            {
                _connection = await ClusterConnection.ConnectAsync(ConnectionSettings(), cancellationToken).ConfigureAwait(false);
                await _connection.Aggregator.GetFederationAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            // A handshake that verified the aggregator but was not finished within the console's
            // wait is a silo still starting on a busy machine (this federation's own CA issued both
            // certificates): it is tried again until the start deadline, then reported as it is.
            catch (Exception error) when (error is GatewayUnreachableException or OrleansException or TimeoutException or ConsoleCertificateException && DateTime.UtcNow < deadline)
            {
                if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Every setting participant i's silo starts with (<c>FedDistill:...</c> keys with its ports, its
    /// certificate paths, the cluster and storage), as its process gets them on its command line;
    /// for a host that runs the participant's silo some other way than as a process of its own.
    /// </summary>
    public IReadOnlyDictionary<string, string> ParticipantSiloSettings(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _options.Participants);
        var id = ParticipantId(index);
        var settings = new Dictionary<string, string>
        {
            ["urls"] = $"http://127.0.0.1:{_participantWebPorts[index]}",
            ["FedDistill:Silo:Role"] = "organization",
            ["FedDistill:Silo:SiloPort"] = _participantPorts[index].ToString(CultureInfo.InvariantCulture),
            ["FedDistill:Silo:GatewayPort"] = "0",
            ["FedDistill:Organization:Id"] = id,
            ["FedDistill:Organization:PrivateData:Index"] = index.ToString(CultureInfo.InvariantCulture),
            ["FedDistill:Organization:PrivateData:Parts"] = _options.Participants.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in _options.ParticipantSettings(index)) settings[key] = value;
        // Secure rounds sign the organization's keys with its federation certificate: the silo's
        // own (an ECDSA P-256 certificate whose key usage allows signatures), unless the options gave another.
        settings.TryAdd("FedDistill:Organization:CaCertificate", CaCertificatePath);
        settings.TryAdd("FedDistill:Organization:Certificate", SiteCertificatePath(id));
        settings.TryAdd("FedDistill:Organization:Key", SiteKeyPath(id));
        return SiteSettings(id, settings);
    }

    private SiloProcess StartParticipant(int index) => Launch(ParticipantId(index), ParticipantSiloSettings(index));

    private SiloProcess Launch(string name, IReadOnlyDictionary<string, string> settings)
    {
        var process = SiloProcess.Start(name, _siloAssembly, settings.Select(pair => $"--{pair.Key}={pair.Value}"), Path.Combine(WorkDirectory, "logs", name + ".log"));
        process.OutputLine += line => OutputLine?.Invoke($"[{name}] {line}");
        return process;
    }

    // What every site's silo shares: the cluster, the storage, and its own certificate unless the options gave another (a test's rogue one).
    private Dictionary<string, string> SiteSettings(string name, Dictionary<string, string> settings)
    {
        settings["FedDistill:Silo:ClusterId"] = ClusterId;
        settings["FedDistill:Silo:MembershipConnectionString"] = Storage;
        settings["FedDistill:Silo:StorageConnectionString"] = Storage;
        settings["FedDistill:Security:Mode"] = "insecure-loopback";
        settings.TryAdd("FedDistill:Silo:Tls:CaCertificate", CaCertificatePath);
        settings.TryAdd("FedDistill:Silo:Tls:Certificate", SiteCertificatePath(name));
        settings.TryAdd("FedDistill:Silo:Tls:Key", SiteKeyPath(name));
        return settings;
    }

    // Azurite's default endpoints: a clear message beats an Orleans start that retries for minutes.
    private async Task RequireStorageAsync(CancellationToken cancellationToken)
    {
        if (!Storage.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)) return;
        foreach (var port in new[] { 10000, 10002 })
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                throw new InvalidOperationException(
                    $"Azure Storage is not reachable: nothing listens on 127.0.0.1:{port}, where Azurite serves by default. " +
                    $"Start Azurite (./run demo and ./run test start it), or set {StorageVariable} to a storage connection string.");
            }
        }
    }

    /// <summary>Distinct free ports on 127.0.0.1: each listener stays open until all are chosen.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners) listener.Stop();
        }
    }
}
