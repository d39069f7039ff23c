using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Reflection;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Clients;
using FedDistill.Grains.Placement;
using FedDistill.Grains.Protocol;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization.Invocation;

namespace FedDistill.Grains.Hosting;

/// <summary>
/// Every silo's incoming grain call filter: a call to a method of an interface marked with
/// <see cref="AllowedCallersAttribute"/> runs only when its caller is one the method allows
/// (<see cref="FederationCallers"/>): round work to an organization's grains only from the
/// aggregator, a teacher only from its own organization's client grain, organization calls on the
/// aggregator only from client grains (the aggregator then checks which organization), operator
/// actions only from an external client (the gateway admits only the admin's certificate) or from
/// the receiving silo's own code outside grains. Anything else is refused with a
/// <see cref="FederationException"/> (<c>forbidden</c>, or <c>impersonation</c> for another
/// organization's client grain), logged with the caller's identity and counted.
/// </summary>
/// <remarks>
/// The caller's identity is the grain id Orleans puts on the call. A silo of the cluster is
/// trusted to state it truthfully: the cluster's mutual TLS admits only silos with a certificate
/// of the federation's CA. Orleans does not expose the sending silo to the filter, so a member
/// silo that lies about its grains is not caught here (docs/security.md).
/// </remarks>
public sealed partial class FederationCallFilter : IIncomingGrainCallFilter, IDisposable
{
    /// <summary>The meter of the refusals.</summary>
    public const string MeterName = "FedDistill.Security";

    private static readonly GrainType AggregatorType = GrainType.Create(AggregatorGrain.GrainTypeName);
    private static readonly GrainType ClientType = GrainType.Create(ClientGrain.GrainTypeName);
    private static readonly ConcurrentDictionary<MethodInfo, AllowedCallersAttribute?> Rules = new();

    private readonly string _localHostedClient;
    private readonly ILogger<FederationCallFilter> _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _refusals;

    /// <summary>Created once per silo.</summary>
    public FederationCallFilter(ILocalSiloDetails silo, ILogger<FederationCallFilter> logger)
    {
        ArgumentNullException.ThrowIfNull(silo);
        // The silo's own code outside grains (its web side) calls as this client.
        _localHostedClient = $"hosted-{silo.SiloAddress.ToParsableString()}";
        _logger = logger;
        _meter = new Meter(MeterName);
        _refusals = _meter.CreateCounter<long>("feddistill.security.call_refusals", unit: "{call}",
            description: "Grain calls refused by the federation's call filter, by reason (forbidden, impersonation) and method.");
    }

    /// <inheritdoc />
    public Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (method, request) = (context.InterfaceMethod, context.Request);
        // A method returning IAsyncEnumerable is called through Orleans' enumeration extension: its
        // first call carries the grain method's own request, which is what the rule is about.
        if (method.Name == nameof(IAsyncEnumerableGrainExtension.StartEnumeration) && method.DeclaringType == typeof(IAsyncEnumerableGrainExtension) && request.GetArgumentCount() >= 2
            && request.GetArgument(1) is IInvokable inner && inner.GetMethod() is { } innerMethod)
            (method, request) = (innerMethod, inner);
        var rule = Rules.GetOrAdd(method, static method =>
            method.GetCustomAttribute<AllowedCallersAttribute>() ?? method.DeclaringType?.GetCustomAttribute<AllowedCallersAttribute>());
        if (rule is null) return context.Invoke();

        var allowed = rule.Callers;
        // The consensus without a participant's name is the operator's download, not counted against any organization.
        if (method.Name == nameof(IAggregatorGrain.ReadConsensusAsync) && request.GetArgument(0) is null) allowed &= FederationCallers.Admin;
        var caller = context.SourceId;
        var kind = Classify(caller);
        var targetOrganization = SiteNames.OrganizationOf(context.TargetId.Key.ToString() ?? string.Empty);
        if (Allows(allowed, kind, caller, targetOrganization)) return context.Invoke();

        var reason = kind == FederationCallers.AnyOrganization && allowed.HasFlag(FederationCallers.OwnOrganization) ? "impersonation" : "forbidden";
        var name = $"{method.DeclaringType?.Name}.{method.Name}";
        var who = Describe(caller, kind);
        _refusals.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("method", name));
        LogRefused(_logger, who, name, context.TargetId.ToString(), reason, allowed.ToString());
        throw new FederationException(FederationErrorKind.Forbidden, reason,
            $"{name} on {context.TargetId} is for {Describe(allowed, targetOrganization)}; the call came from {who}.");
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static bool Allows(FederationCallers allowed, FederationCallers kind, GrainId? caller, string targetOrganization) => kind switch
    {
        FederationCallers.Admin or FederationCallers.Aggregator => allowed.HasFlag(kind),
        FederationCallers.AnyOrganization => allowed.HasFlag(FederationCallers.AnyOrganization)
            || (allowed.HasFlag(FederationCallers.OwnOrganization) && string.Equals(caller!.Value.Key.ToString(), targetOrganization, StringComparison.Ordinal)),
        _ => false,
    };

    // Admin: an external client (through the gateway) or this silo's own hosted client; another
    // silo's hosted client is that silo's code outside grains, which speaks for no one.
    private FederationCallers Classify(GrainId? caller)
    {
        if (caller is not { } id) return FederationCallers.None;
        if (id.IsClient())
        {
            var key = id.Key.ToString() ?? string.Empty;
            return !key.StartsWith("hosted-", StringComparison.Ordinal) || key == _localHostedClient ? FederationCallers.Admin : FederationCallers.None;
        }

        if (id.Type == AggregatorType) return FederationCallers.Aggregator;
        return id.Type == ClientType ? FederationCallers.AnyOrganization : FederationCallers.None;
    }

    private static string Describe(GrainId? caller, FederationCallers kind) => kind switch
    {
        FederationCallers.Admin => $"the operator ({caller})",
        FederationCallers.Aggregator => $"the aggregator ({caller})",
        FederationCallers.AnyOrganization => $"the client grain of '{caller!.Value.Key}'",
        _ => caller is { } id ? $"{id} (no federation role)" : "outside any grain (no caller id)",
    };

    private static string Describe(FederationCallers allowed, string organization)
    {
        var parts = new List<string>();
        if (allowed.HasFlag(FederationCallers.Admin)) parts.Add("the operator");
        if (allowed.HasFlag(FederationCallers.Aggregator)) parts.Add("the aggregator");
        if (allowed.HasFlag(FederationCallers.OwnOrganization)) parts.Add($"the client grain of '{organization}'");
        if (allowed.HasFlag(FederationCallers.AnyOrganization)) parts.Add("an organization's client grain");
        return parts.Count == 0 ? "no caller" : string.Join(" or ", parts);
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Refused a grain call from {Caller} to {Method} on {Target}: {Reason} (allowed: {Allowed})")]
    private static partial void LogRefused(ILogger logger, string caller, string method, string target, string reason, string allowed);
}
