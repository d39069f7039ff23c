namespace FedDistill.Silo.Hosting;

/// <summary>How a participant silo dials out to its aggregator; bound from <c>FedDistill:Participant:Connection</c>.</summary>
public sealed class ParticipantConnectionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "FedDistill:Participant:Connection";

    /// <summary>The aggregator's root URL, e.g. <c>https://aggregator.example:7443</c>.</summary>
    public string AggregatorUrl { get; set; } = string.Empty;

    /// <summary>The participant's certificate (PEM), issued by the federation's CA; not needed in insecure loopback mode.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The certificate's private key (PEM).</summary>
    public string? KeyPath { get; set; }

    /// <summary>Seconds to wait between attempts while the aggregator is unreachable.</summary>
    public int RetrySeconds { get; set; } = 2;

    /// <summary>Every problem, naming <c>ParticipantConnectionOptions.Property</c>; empty when valid.</summary>
    public IReadOnlyList<string> Validate(bool tls)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(AggregatorUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            errors.Add($"ParticipantConnectionOptions.AggregatorUrl is '{AggregatorUrl}'; it must be an absolute http(s) URL.");
        else if (tls && uri.Scheme != Uri.UriSchemeHttps)
            errors.Add($"ParticipantConnectionOptions.AggregatorUrl is '{AggregatorUrl}'; with TLS it must be https.");
        if (tls && (string.IsNullOrWhiteSpace(CertificatePath) || string.IsNullOrWhiteSpace(KeyPath)))
            errors.Add("ParticipantConnectionOptions.CertificatePath and KeyPath must name the participant's certificate and key (feddistill admin issue participant).");
        if (RetrySeconds is < 1 or > 3600) errors.Add($"ParticipantConnectionOptions.RetrySeconds is {RetrySeconds}; it must be in [1, 3600].");
        return errors;
    }
}
