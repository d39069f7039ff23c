using System.Security.Cryptography.X509Certificates;
using FedDistill.Security.SecureSummation;
using FedDistill.Security.Tests.Support;

namespace FedDistill.Security.Tests.SecureSummation;

/// <summary>A federation CA with eight participants (org-0 … org-7) and a foreign CA's participant, loaded with their keys, for secure-summation rounds.</summary>
public sealed class SecureSummationFederation : IDisposable
{
    public const string FederationName = "test-federation";

    private readonly TemporaryDirectory _directory = new();

    public SecureSummationFederation()
    {
        using var authority = CertificateAuthority.Create(_directory.Combine("ca"), FederationName, TimeSpan.FromDays(3650));
        Authority = authority.GetPublicCertificate();
        Organizations = Enumerable.Range(0, 8)
            .Select(index => authority.IssueSilo($"org-{index}", ["127.0.0.1"], _directory.Combine("issued")))
            .Select(issued => FederationCertificates.LoadCertificateWithKey(issued.CertificatePath, issued.KeyPath))
            .ToArray();
        Admin = Load(authority.IssueAdmin("admin", _directory.Combine("issued")));
        using var foreign = CertificateAuthority.Create(_directory.Combine("foreign-ca"), "other-federation", TimeSpan.FromDays(3650));
        Foreign = Load(foreign.IssueSilo("org-0", ["127.0.0.1"], _directory.Combine("foreign")));
        Binding = new KeyBinding(Authority);
    }

    public X509Certificate2 Authority { get; }

    public X509Certificate2[] Organizations { get; }

    /// <summary>A participant certificate named org-0, issued by another federation's CA.</summary>
    public X509Certificate2 Foreign { get; }

    public X509Certificate2 Admin { get; }

    public KeyBinding Binding { get; }

    public static SecureSummationSession Session(int threshold, int length, int round = 1, FixedPointRing? ring = null) =>
        new(FederationName, round, threshold, length, ring ?? FixedPointRing.Standard);

    /// <summary>
    /// Runs one whole round among the first <paramref name="inputs"/>.Length organizations; those in
    /// <paramref name="dropAfterSharing"/> share keys and then never upload. Returns the result and
    /// every masked input the aggregator saw.
    /// </summary>
    public (SecureSummationResult Result, IReadOnlyList<MaskedInput> Masked) Run(SecureSummationSession session, float[][] inputs, IReadOnlySet<int>? dropAfterSharing = null)
    {
        var (result, transcript) = RunWithTranscript(session, inputs, dropAfterSharing);
        return (result, transcript.Masked);
    }

    /// <summary>Like <see cref="Run"/>, also returning everything the aggregator received in the round.</summary>
    public (SecureSummationResult Result, AggregatorTranscript Transcript) RunWithTranscript(SecureSummationSession session, float[][] inputs, IReadOnlySet<int>? dropAfterSharing = null)
    {
        dropAfterSharing ??= new HashSet<int>();
        var participants = inputs.Select((_, index) => new SecureSummationParticipant(session, Organizations[index], Binding)).ToArray();
        try
        {
            var advertisements = participants.Select(participant => participant.Advertise()).ToList();
            var bundles = participants.SelectMany(participant => participant.ShareKeys(advertisements)).ToList();
            using var unmasker = new SecureSummationUnmasker(session, Binding, advertisements, participants.Select(participant => participant.ParticipantId).ToList());
            var masked = new List<MaskedInput>();
            for (var index = 0; index < participants.Length; index++)
            {
                var mine = bundles.Where(bundle => bundle.To == participants[index].ParticipantId).ToList();
                var input = participants[index].MaskInput(inputs[index], mine);
                if (dropAfterSharing.Contains(index)) continue;
                masked.Add(input);
                unmasker.Add(input);
            }
            var survivors = unmasker.Survivors.ToList();
            var reveals = participants.Where((_, index) => !dropAfterSharing.Contains(index)).Select(participant => participant.RevealShares(survivors)).ToList();
            return (unmasker.Unmask(reveals), new AggregatorTranscript(advertisements, bundles, masked, reveals));
        }
        finally
        {
            foreach (var participant in participants) participant.Dispose();
        }
    }

    public void Dispose()
    {
        Authority.Dispose();
        foreach (var organization in Organizations) organization.Dispose();
        Foreign.Dispose();
        Admin.Dispose();
        _directory.Dispose();
    }

    private static X509Certificate2 Load(IssuedCertificate issued) => FederationCertificates.LoadCertificateWithKey(issued.CertificatePath, issued.KeyPath);
}
