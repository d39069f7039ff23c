using System.Net;
using System.Net.Sockets;
using FedDistill.Grains.Protocol;
using FedDistill.Security;
using FedDistill.Transport;

namespace FedDistill.Client.Federation;

/// <summary>
/// A federation on one machine: the federation's CA and certificates, an aggregator silo and N
/// participant silos, each its own process on loopback. The demo, the end-to-end tests and the
/// federation benchmark all run on it.
/// </summary>
public sealed class LocalFederation : IAsyncDisposable
{
    private readonly LocalFederationOptions _options;
    private readonly string _siloAssembly;
    private readonly int _aggregatorPort;
    private readonly List<SiloProcess?> _participants = [];
    private HttpClient? _adminHttp;

    private LocalFederation(LocalFederationOptions options, string siloAssembly, int aggregatorPort)
    {
        _options = options;
        _siloAssembly = siloAssembly;
        _aggregatorPort = aggregatorPort;
        WorkDirectory = Path.GetFullPath(options.WorkDirectory);
        Pki = Path.Combine(WorkDirectory, "pki");
        AggregatorUrl = new Uri($"{(options.Tls ? "https" : "http")}://127.0.0.1:{aggregatorPort}");
    }

    /// <summary>Raised for every line any silo writes, prefixed with its name.</summary>
    public event Action<string>? OutputLine;

    /// <summary>The work directory.</summary>
    public string WorkDirectory { get; }

    /// <summary>Where the CA and the issued certificates live.</summary>
    public string Pki { get; }

    /// <summary>The aggregator's root URL.</summary>
    public Uri AggregatorUrl { get; }

    /// <summary>The aggregator process (replaced by <see cref="RestartAggregatorAsync"/>).</summary>
    public SiloProcess? Aggregator { get; private set; }

    /// <summary>The admin's view of the aggregator, over HTTP with the admin certificate.</summary>
    public HttpAggregatorClient Admin { get; private set; } = null!;

    /// <summary>Participant ids, in order.</summary>
    public IReadOnlyList<string> ParticipantIds => Enumerable.Range(0, _options.Participants).Select(ParticipantId).ToList();

    /// <summary>The id of participant i (0-based).</summary>
    public static string ParticipantId(int index) => $"hospital-{index + 1}";

    /// <summary>The CA certificate's path.</summary>
    public string CaCertificatePath => Path.Combine(Pki, "ca", CertificateAuthority.CertificateFileName);

    /// <summary>Creates the CA and certificates, starts the aggregator, admits and starts the participants.</summary>
    public static async Task<LocalFederation> StartAsync(LocalFederationOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var federation = new LocalFederation(options, SiloLocator.Find(), FreePort());
        try
        {
            federation.IssueCertificates();
            await federation.StartAggregatorAsync(cancellationToken).ConfigureAwait(false);
            if (options.RegisterParticipants)
            {
                foreach (var id in federation.ParticipantIds)
                    await federation.Admin.RegisterParticipantAsync(new RegisterParticipantRequest(id, $"Hospital {id[^1..]}"), cancellationToken).ConfigureAwait(false);
            }

            for (var i = 0; i < options.Participants; i++) federation._participants.Add(options.StartParticipants ? federation.StartParticipant(i) : null);
            return federation;
        }
        catch
        {
            await federation.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A client for the aggregator with participant i's certificate (or, insecure, its claimed identity).</summary>
    public HttpClient CreateParticipantClient(int index) => CreateClient(ParticipantId(index));

    /// <summary>A client for the aggregator as the named identity whose certificate is in the PKI folder.</summary>
    public HttpClient CreateClient(string identity) => _options.Tls
        ? FederationHttpClientFactory.Create(AggregatorUrl, Path.Combine(Pki, identity, identity + ".crt"), Path.Combine(Pki, identity, identity + ".key"), CaCertificatePath)
        : FederationHttpClientFactory.CreateInsecureLoopback(AggregatorUrl, identity);

    /// <summary>Participant i's process, or null when it is stopped.</summary>
    public SiloProcess? Participant(int index) => _participants[index];

    /// <summary>Kills participant i at once, as a crash would.</summary>
    public async Task KillParticipantAsync(int index)
    {
        if (_participants[index] is { } process)
        {
            await process.DisposeAsync().ConfigureAwait(false);
            _participants[index] = null;
        }
    }

    /// <summary>Starts participant i again (after <see cref="KillParticipantAsync"/>).</summary>
    public void RestartParticipant(int index)
    {
        if (_participants[index] is not null) throw new InvalidOperationException($"{ParticipantId(index)} is running.");
        _participants[index] = StartParticipant(index);
    }

    /// <summary>Kills the aggregator at once (no graceful shutdown) and starts it again on the same port and store.</summary>
    public async Task RestartAggregatorAsync(CancellationToken cancellationToken)
    {
        if (Aggregator is not null) await Aggregator.DisposeAsync().ConfigureAwait(false);
        await StartAggregatorAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every silo's log tail, for a failure message.</summary>
    public string Logs() => string.Join("\n", new[] { Aggregator }.Concat(_participants).Where(p => p is not null).Select(p => p!.Tail(25)));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var participant in _participants)
        {
            if (participant is not null) await participant.DisposeAsync().ConfigureAwait(false);
        }

        _participants.Clear();
        if (Aggregator is not null) await Aggregator.DisposeAsync().ConfigureAwait(false);
        _adminHttp?.Dispose();
    }

    private void IssueCertificates()
    {
        if (!_options.Tls) return;
        if (File.Exists(CaCertificatePath)) return;
        using var authority = CertificateAuthority.Create(Path.Combine(Pki, "ca"), "feddistill-local", TimeSpan.FromDays(30));
        authority.IssueServer(["127.0.0.1", "localhost"], Path.Combine(Pki, "server"));
        authority.IssueAdmin("admin", Path.Combine(Pki, "admin"));
        for (var i = 0; i < _options.Participants; i++) authority.IssueParticipant(ParticipantId(i), Path.Combine(Pki, ParticipantId(i)));
        foreach (var id in _options.UnregisteredCertificates) authority.IssueParticipant(id, Path.Combine(Pki, id));
    }

    private async Task StartAggregatorAsync(CancellationToken cancellationToken)
    {
        var store = Path.Combine(WorkDirectory, "aggregator");
        Directory.CreateDirectory(store);
        var settings = new Dictionary<string, string>
        {
            ["urls"] = AggregatorUrl.ToString().TrimEnd('/'),
            ["FedDistill:Silo:Roles"] = "aggregator",
            ["FedDistill:Store:Provider"] = _options.StoreProvider,
            ["FedDistill:Store:ConnectionString"] = _options.StoreConnectionString ?? $"Data Source={Path.Combine(store, "federation.db")}",
            ["FedDistill:Store:ArtifactsDirectory"] = Path.Combine(store, "artifacts"),
        };
        AddSecurity(settings);
        foreach (var (key, value) in _options.AggregatorSettings) settings[key] = value;
        Aggregator = Launch("aggregator", settings);
        _adminHttp?.Dispose();
        _adminHttp = CreateClient("admin");
        Admin = new HttpAggregatorClient(_adminHttp);
        await Aggregator.WaitUntilHealthyAsync(_adminHttp, _options.StartTimeout, cancellationToken).ConfigureAwait(false);
    }

    private SiloProcess StartParticipant(int index)
    {
        var id = ParticipantId(index);
        var settings = new Dictionary<string, string>
        {
            ["urls"] = $"{(_options.Tls ? "https" : "http")}://127.0.0.1:0",
            ["FedDistill:Silo:Roles"] = "participant",
            ["FedDistill:Participant:ParticipantId"] = id,
            ["FedDistill:Participant:StateDirectory"] = Path.Combine(WorkDirectory, id),
            ["FedDistill:Participant:PrivateData:Index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FedDistill:Participant:PrivateData:Parts"] = _options.Participants.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FedDistill:Participant:Connection:AggregatorUrl"] = AggregatorUrl.ToString().TrimEnd('/'),
        };
        if (_options.Tls)
        {
            settings["FedDistill:Participant:Connection:CertificatePath"] = Path.Combine(Pki, id, id + ".crt");
            settings["FedDistill:Participant:Connection:KeyPath"] = Path.Combine(Pki, id, id + ".key");
        }

        AddSecurity(settings);
        foreach (var (key, value) in _options.ParticipantSettings(index)) settings[key] = value;
        return Launch(id, settings);
    }

    private void AddSecurity(Dictionary<string, string> settings)
    {
        if (_options.Tls)
        {
            settings["FedDistill:Security:Mode"] = "tls";
            settings["FedDistill:Security:CaCertificatePath"] = CaCertificatePath;
            settings["FedDistill:Security:ServerCertificatePath"] = Path.Combine(Pki, "server", "server.crt");
            settings["FedDistill:Security:ServerKeyPath"] = Path.Combine(Pki, "server", "server.key");
        }
        else
        {
            settings["FedDistill:Security:Mode"] = "insecure-loopback";
        }
    }

    private SiloProcess Launch(string name, Dictionary<string, string> settings)
    {
        var process = SiloProcess.Start(name, _siloAssembly, settings.Select(pair => $"--{pair.Key}={pair.Value}"), Path.Combine(WorkDirectory, "logs", name + ".log"));
        process.OutputLine += line => OutputLine?.Invoke($"[{name}] {line}");
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
