using System.Text.RegularExpressions;

namespace FedDistill.Client.Operator;

/// <summary>
/// Where a kit's silo runs once installed, as <c>feddistill federation create</c> writes it into the
/// kit's systemd unit and the aggregator's Kubernetes manifest.
/// </summary>
/// <param name="User">The system user (and group) the silo runs as under systemd.</param>
/// <param name="InstallDirectory">Where each site's kit folder is copied on its machine: the silo's content root is <c>{InstallDirectory}/{site}</c>.</param>
/// <param name="SiloDirectory">Where the published silo (<c>dotnet publish src/Silo</c>) lies: <c>{SiloDirectory}/feddistill-silo.dll</c>.</param>
/// <param name="Image">The container image of the published silo, for the Kubernetes manifest.</param>
public sealed partial record DeploymentSettings(
    string User = "feddistill",
    string InstallDirectory = "/etc/feddistill",
    string SiloDirectory = "/opt/feddistill/silo",
    string Image = "feddistill-silo:latest")
{
    /// <summary>Every problem, naming the console's option; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (User is null || !UserPattern().IsMatch(User)) errors.Add($"--user is '{User}'; it must be a system user name matching [a-z_][a-z0-9_-]{{0,31}}.");
        foreach (var (option, path) in new[] { ("--install-dir", InstallDirectory), ("--silo-dir", SiloDirectory) })
        {
            if (path is null || !path.StartsWith('/') || path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '%' or '"' or '\'' or '\\'))
                errors.Add($"{option} is '{path}'; it must be an absolute path on the silo's machine, without spaces, quotes, backslashes or '%'.");
        }

        if (Image is null || !ImagePattern().IsMatch(Image)) errors.Add($"--image is '{Image}'; it must be a container image reference such as registry.example.org/feddistill-silo:1.0.");
        return errors;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._/:@-]{0,254}$")]
    private static partial Regex ImagePattern();
}
