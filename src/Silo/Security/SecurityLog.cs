using System.Diagnostics.Metrics;

namespace FedDistill.Silo.Security;

/// <summary>Source-generated log messages of the silo's security, and the <c>FedDistill.Security</c> rejection counter.</summary>
internal static partial class SecurityLog
{
    private static readonly Meter Meter = new("FedDistill.Security");
    private static readonly Counter<long> Rejections = Meter.CreateCounter<long>("feddistill.security.rejections", description: "Requests refused by the federation's authentication or authorization.");

    /// <summary>Counts a rejection by kind: certificate, header, missing-identity, forbidden.</summary>
    public static void CountRejection(string kind) => Rejections.Add(1, new KeyValuePair<string, object?>("kind", kind));

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Refused client certificate {Subject} (SHA-256 {Thumbprint}) from {RemoteAddress}: {Reason}")]
    public static partial void CertificateRefused(ILogger logger, string subject, string thumbprint, string? remoteAddress, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Refused claimed identity from {RemoteAddress} in insecure-loopback mode: {Reason}")]
    public static partial void HeaderIdentityRefused(ILogger logger, string? remoteAddress, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Forbidden: {Identity} called {Path}: {Reason}")]
    public static partial void Forbidden(ILogger logger, string identity, string path, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Unauthenticated call to {Path} from {RemoteAddress}: {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string path, string? remoteAddress, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Security mode is insecure-loopback: caller identities are claimed in a header and not proved. Use it only for a single-machine demo.")]
    public static partial void InsecureModeActive(ILogger logger);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Critical, Message = "Refusing to run: {Problem}")]
    public static partial void RefusingToRun(ILogger logger, string problem);
}
