namespace FedDistill.Security.Tests.Support;

/// <summary>A federation CA with a server, two participants and an admin, plus a foreign CA's participant, in a temp directory.</summary>
public sealed class TestFederation : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public TestFederation()
    {
        Authority = CertificateAuthority.Create(_directory.Combine("ca"), "test-federation", TimeSpan.FromDays(3650));
        var issued = _directory.Combine("issued");
        Server = Authority.IssueServer(["127.0.0.1", "localhost"], issued);
        HospitalA = Authority.IssueSilo("hospital-a", [], issued);
        HospitalB = Authority.IssueSilo("hospital-b", [], issued);
        Admin = Authority.IssueAdmin("admin", issued);
        using var foreign = CertificateAuthority.Create(_directory.Combine("foreign-ca"), "other-federation", TimeSpan.FromDays(3650));
        ForeignParticipant = foreign.IssueSilo("hospital-a", [], _directory.Combine("foreign"));
    }

    public CertificateAuthority Authority { get; }

    public string Root => _directory.Path;

    public IssuedCertificate Server { get; }

    public IssuedCertificate HospitalA { get; }

    public IssuedCertificate HospitalB { get; }

    public IssuedCertificate Admin { get; }

    public IssuedCertificate ForeignParticipant { get; }

    public void Dispose()
    {
        Authority.Dispose();
        _directory.Dispose();
    }
}
