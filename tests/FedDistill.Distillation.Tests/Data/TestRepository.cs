using System.Runtime.CompilerServices;
using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

/// <summary>Locates the repository for tests that need files it keeps under artifacts/.</summary>
internal static class TestRepository
{
    private static readonly object Gate = new();

    /// <summary>
    /// Makes sure <c>FEDDISTILL_REPO_ROOT</c> is set, so the product's own search finds
    /// <c>artifacts/data/sklearn</c>: the test host runs from a build output directory (possibly
    /// outside the repository), so the root is taken from this source file's compile-time path
    /// when the variable is unset. A value set by the caller (CI) is left alone.
    /// </summary>
    public static void EnsureRootVariable()
    {
        lock (Gate)
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SklearnDataDirectory.RepositoryRootVariable)))
            {
                Environment.SetEnvironmentVariable(SklearnDataDirectory.RepositoryRootVariable, SourceRoot());
            }
        }
    }

    // This file sits in <root>/tests/FedDistill.Distillation.Tests/Data/.
    private static string SourceRoot([CallerFilePath] string sourceFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "..", ".."));
}
