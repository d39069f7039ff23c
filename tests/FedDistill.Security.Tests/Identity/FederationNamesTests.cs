using FedDistill.Security.Tests.Support;

namespace FedDistill.Security.Tests.Identity;

public sealed class FederationNamesTests
{
    [Theory]
    [InlineData("hospital-a")]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("st-marys-2")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public void Participant_ids_of_lower_case_letters_digits_and_dashes_are_valid(string id) =>
        Assert.Null(FederationNames.ValidateParticipantId(id));

    [Theory]
    [InlineData("")]
    [InlineData("-hospital")]
    [InlineData("Hospital")]
    [InlineData("hospital_a")]
    [InlineData("hospital a")]
    [InlineData("../etc")]
    [InlineData("hospital/a")]
    [InlineData("hospital.a")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    [InlineData("hospital-ä")]
    public void Participant_ids_that_are_not_safe_file_names_and_url_segments_are_refused_with_the_pattern(string id)
    {
        var problem = FederationNames.ValidateParticipantId(id);
        Assert.NotNull(problem);
        Assert.Contains(FederationNames.IdentityNamePattern, problem);
    }

    [Fact]
    public void Participant_id_admin_is_reserved_for_the_admin_identity()
    {
        Assert.Contains("reserved", FederationNames.ValidateParticipantId("admin"));
        Assert.Null(FederationNames.ValidateAdminName("admin"));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("aggregator.lakeside.example", true)]
    [InlineData("localhost", true)]
    [InlineData("*.lakeside.example", false)]
    [InlineData("bad_host", false)]
    [InlineData("", false)]
    [InlineData("-bad.example", false)]
    public void Server_hosts_are_IP_addresses_or_DNS_names(string host, bool valid) =>
        Assert.Equal(valid, FederationNames.ValidateHostNameOrAddress(host) is null);

    [Fact]
    public void Issuing_a_certificate_for_an_invalid_name_throws_before_writing_anything()
    {
        using var directory = new TemporaryDirectory();
        using var authority = CertificateAuthority.Create(directory.Combine("ca"), "demo", TimeSpan.FromDays(1));

        Assert.Throws<ArgumentException>(() => authority.IssueSilo("../evil", [], directory.Combine("out")));
        Assert.Throws<ArgumentException>(() => authority.IssueAdmin("Admin", directory.Combine("out")));
        Assert.Throws<ArgumentException>(() => authority.IssueServer([], directory.Combine("out")));
        Assert.Throws<ArgumentException>(() => authority.IssueServer(["*.example"], directory.Combine("out")));
        Assert.Throws<ArgumentException>(() => CertificateAuthority.Create(directory.Combine("ca2"), "", TimeSpan.FromDays(1)));
        Assert.False(Directory.Exists(directory.Combine("out")));
    }
}
