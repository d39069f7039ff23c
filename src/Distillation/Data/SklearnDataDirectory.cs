namespace FedDistill.Distillation.Data;

/// <summary>
/// Finds the CSV tables that scikit-learn bundles (breast_cancer.csv, iris.csv, wine_data.csv)
/// without needing scikit-learn installed: Debian's <c>python3-sklearn</c> package can be
/// unpacked anywhere with <c>apt-get download python3-sklearn &amp;&amp; dpkg -x python3-sklearn_*.deb DIR</c>.
/// </summary>
/// <remarks>
/// Search order: the directory named by <see cref="DirectoryVariable"/> if set (and nothing
/// else, so an explicit setting is never silently bypassed); otherwise
/// <see cref="SystemDirectory"/>, then <c>$FEDDISTILL_REPO_ROOT/artifacts/data/sklearn</c>, then
/// <c>artifacts/data/sklearn</c> under the current directory (the repository root when started by ./run).
/// </remarks>
public static class SklearnDataDirectory
{
    /// <summary>Environment variable naming the directory that holds the CSV files.</summary>
    public const string DirectoryVariable = "FEDDISTILL_SKLEARN_DATA_DIR";

    /// <summary>Environment variable naming the repository root, under which <see cref="RepositoryRelativeDirectory"/> is searched.</summary>
    public const string RepositoryRootVariable = "FEDDISTILL_REPO_ROOT";

    /// <summary>Where an installed <c>python3-sklearn</c> keeps the files.</summary>
    public const string SystemDirectory = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

    /// <summary>Where the project's scripts unpack the files, relative to the repository root (git-ignored).</summary>
    public const string RepositoryRelativeDirectory = "artifacts/data/sklearn";

    /// <summary>The directories searched, in order, given the current environment.</summary>
    public static IReadOnlyList<string> CandidateDirectories()
    {
        string? configured = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return [configured];
        }

        var candidates = new List<string> { SystemDirectory };
        string? repositoryRoot = Environment.GetEnvironmentVariable(RepositoryRootVariable);
        if (!string.IsNullOrEmpty(repositoryRoot))
        {
            candidates.Add(Path.Combine(repositoryRoot, RepositoryRelativeDirectory));
        }

        candidates.Add(Path.Combine(Environment.CurrentDirectory, RepositoryRelativeDirectory));
        return candidates;
    }

    /// <summary>The full path of <paramref name="fileName"/> in the first candidate directory that holds it.</summary>
    /// <param name="fileName">A file name such as <c>breast_cancer.csv</c>.</param>
    /// <exception cref="FileNotFoundException">No candidate holds the file; the message lists them and says how to get it.</exception>
    public static string FindFile(string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        IReadOnlyList<string> candidates = CandidateDirectories();
        foreach (string directory in candidates)
        {
            string path = Path.Combine(directory, fileName);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(MissingMessage(fileName, candidates), fileName);
    }

    /// <summary>The message for a missing file: where it was looked for and how to get it.</summary>
    internal static string MissingMessage(string fileName, IEnumerable<string> searched) =>
        $"scikit-learn data file '{fileName}' not found; searched: {string.Join(", ", searched.Select(d => $"'{d}'"))}. " +
        "Get it without installing scikit-learn: `cd /tmp && apt-get download python3-sklearn && " +
        "dpkg -x python3-sklearn_*.deb /tmp/sk` and copy /tmp/sk" + SystemDirectory + "/" + fileName +
        $" into <repo>/{RepositoryRelativeDirectory}/ (or set {DirectoryVariable} to the directory holding it).";
}
