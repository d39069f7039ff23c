namespace FedDistill.Dashboard.Tests.Support;

/// <summary>Paths in the repository: <c>$FEDDISTILL_REPO_ROOT</c> (set by ./run), else found above the test assembly.</summary>
public static class TestRepository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Where test artifacts go (./run test collects TRX files there too).</summary>
    public static string TestResults => Path.Combine(Root, "artifacts", "test-results");

    /// <summary>The Node script that drives Chromium, next to its package.json.</summary>
    public static string BrowserDirectory => Path.Combine(Root, "tests", "FedDistill.Dashboard.Tests", "browser");

    private static string FindRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("FEDDISTILL_REPO_ROOT");
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FedDistill.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException("Set FEDDISTILL_REPO_ROOT to the repository (./run does): no FedDistill.sln above " + AppContext.BaseDirectory);
    }
}
