using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Clients;
using FedDistill.Grains.Hosting;
using FedDistill.Grains.Placement;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.Storage;
using FedDistill.Silo.Dashboard;
using FedDistill.Silo.Endpoints;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace FedDistill.Silo.Hosting;

/// <summary>Makes this process one silo of the federation's Orleans cluster, as configured in <c>FedDistill:Silo</c>.</summary>
public static class SiloServiceExtensions
{
    /// <summary>
    /// Configures the Orleans silo: its site name (<c>aggregator</c>, or the organization's id),
    /// endpoints, membership in the shared Azure table, and only this site's own
    /// storage providers, and mutual TLS with the federation's CA on every Orleans connection
    /// (<see cref="ClusterTls"/>); the membership probe timing, and a silo declared dead exiting
    /// with <see cref="SiloExitCodes.DeclaredDead"/> (<see cref="SiloFatalErrorHandler"/>); the aggregator's silo also gets its web read model, metrics and the Orleans Dashboard.
    /// </summary>
    /// <exception cref="OptionsValidationException">At build time, when <c>FedDistill:Silo</c> or the site's options are invalid, or the TLS files do not load or do not name this site.</exception>
    public static WebApplicationBuilder AddFedDistillSilo(this WebApplicationBuilder builder)
    {
        var host = Bind<SiloHostOptions>(builder.Configuration, SiloHostOptions.SectionName);
        Require(SiloHostOptions.SectionName, host.Validate());
        // A kit's settings name its certificate files relative to the kit's folder, the content root,
        // so that the folder can be copied anywhere (/etc/feddistill/SITE, a pod's mounted volume).
        host.Tls = new SiloTlsOptions
        {
            CaCertificate = ContentPath(builder, host.Tls.CaCertificate),
            Certificate = ContentPath(builder, host.Tls.Certificate),
            Key = ContentPath(builder, host.Tls.Key),
        };
        builder.Services.AddSingleton(host);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default);
            json.SerializerOptions.TypeInfoResolverChain.Insert(1, DashboardJsonContext.Default);
        });
        builder.Services.AddProblemDetails();

        string siteName;
        if (host.IsAggregator)
        {
            siteName = SiteNames.Aggregator;
        }
        else
        {
            var organization = Bind<OrganizationOptions>(builder.Configuration, OrganizationOptions.SectionName);
            ResolveCertificates(builder, organization);
            Require(OrganizationOptions.SectionName, organization.Validate());
            siteName = organization.Id;
        }

        // The certificate is checked before anything listens: a silo that could never join (wrong
        // CA, expired, naming another site) stops here with the reason.
        var (authority, certificate) = ClusterTls.Load(host.Tls, siteName);
        builder.UseOrleans(silo =>
        {
            silo.UseClusterTls(authority, certificate);
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = host.ClusterId;
                options.ServiceId = host.ClusterId;
            });
            silo.Configure<SiloOptions>(options => options.SiloName = siteName);
            if (host.InKubernetes) silo.UseFederationKubernetesHosting(host, siteName);
            else silo.ConfigureEndpoints(IPAddress.Parse(host.AdvertisedAddress), host.SiloPort, host.GatewayPort, listenOnAnyHostAddress: false);
            silo.UseAzureStorageClustering(options => options.TableServiceClient = new TableServiceClient(host.MembershipConnectionString));
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(host.ProbeTimeoutSeconds);
                options.NumMissedProbesLimit = host.MissedProbesLimit;
            });
            // A silo the cluster declared dead exits with a line saying so and its own exit code, not Orleans' FailFast.
            silo.Services.Replace(ServiceDescriptor.Singleton<IFatalErrorHandler, SiloFatalErrorHandler>());
            // The default directory deactivates every activation whose directory entry lived on a
            // silo that died: an aggregator killed mid secure round would take the organizations'
            // client grains, and the round's secrets they hold in memory, with it. The distributed
            // directory rebuilds a dead silo's entries from the surviving activations instead.
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10
            silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            if (host.IsAggregator)
            {
                silo.AddAzureTableGrainStorage(StorageNames.Federation, options => options.Configure<IServiceProvider>((table, services) =>
                {
                    table.TableServiceClient = new TableServiceClient(host.StorageConnectionString);
                    table.TableName = $"{host.ClusterId}federation";
                    table.GrainStorageSerializer = OrleansSerializer(services);
                }));
                silo.AddAzureBlobGrainStorage(StorageNames.FederationArtifacts, options => options.Configure<IServiceProvider>((blobs, services) =>
                {
                    blobs.BlobServiceClient = new BlobServiceClient(host.StorageConnectionString);
                    blobs.ContainerName = $"{host.ClusterId}-artifacts";
                    blobs.GrainStorageSerializer = OrleansSerializer(services);
                }));
                silo.AddFederationAggregator(options =>
                {
                    builder.Configuration.GetSection("FedDistill:Aggregator").Bind(options);
                    options.CaCertificate = ContentPath(builder, options.CaCertificate);
                });
                silo.AddOrleansDashboardServices();
            }
            else
            {
                // The organization's private storage: a container of its own, configured on its silo only.
                silo.AddAzureBlobGrainStorage(StorageNames.Organization, options => options.Configure<IServiceProvider>((blobs, services) =>
                {
                    blobs.BlobServiceClient = new BlobServiceClient(host.StorageConnectionString);
                    blobs.ContainerName = $"{host.ClusterId}-{siteName}";
                    blobs.GrainStorageSerializer = OrleansSerializer(services);
                }));
                silo.AddFederationOrganization(options =>
                {
                    builder.Configuration.GetSection(OrganizationOptions.SectionName).Bind(options);
                    ResolveCertificates(builder, options);
                });
            }
        });

        if (host.IsAggregator) AddAggregatorWeb(builder);
        return builder;
    }

    /// <summary>Maps the health endpoint and, on the aggregator's silo, the dashboard, its read model, metrics and the Orleans Dashboard.</summary>
    public static WebApplication MapFedDistillSilo(this WebApplication app)
    {
        app.MapSiloHealth();
        if (app.Services.GetRequiredService<SiloHostOptions>().IsAggregator)
        {
            app.MapDashboardApi();
            app.MapAggregatorMetrics();
            app.MapDashboard();
            app.MapOrleansDashboardPages();
        }

        return app;
    }

    // Grain state in the Orleans binary format rather than the providers' JSON default: the
    // state records are [GenerateSerializer] types already, and logits stay bytes, not base64.
    private static IGrainStorageSerializer OrleansSerializer(IServiceProvider services) =>
        new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());

    private static void AddAggregatorWeb(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DashboardOptions>>(new OptionsListValidator<DashboardOptions>(options => options.Validate()));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FederationGrain>();
        services.AddAggregatorMetrics();
        services.AddSingleton<DashboardEventHub>();
        services.AddHostedService<DashboardFeed>();
    }

    // A value the binder cannot convert (a port of "eleven") is a bad setting like any other, named with its key.
    private static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException unreadable)
        {
            throw new OptionsValidationException(section, typeof(T), [$"{section}: {unreadable.Message}"]);
        }
    }

    // A kit names the organization's certificates (secure summation) relative to its folder, the content root, as for Tls.
    private static void ResolveCertificates(WebApplicationBuilder builder, OrganizationOptions organization)
    {
        organization.CaCertificate = ContentPath(builder, organization.CaCertificate);
        organization.Certificate = ContentPath(builder, organization.Certificate);
        organization.Key = ContentPath(builder, organization.Key);
    }

    /// <summary>A path from the settings, relative ones taken from the content root (the kit's folder).</summary>
    internal static string? ContentPath(WebApplicationBuilder builder, string? path) =>
        string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, path));

    private static void Require(string section, IReadOnlyList<string> errors)
    {
        if (errors.Count > 0) throw new OptionsValidationException(section, typeof(SiloHostOptions), errors);
    }
}
