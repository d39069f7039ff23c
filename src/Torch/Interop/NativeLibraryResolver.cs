using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FedDistill.Torch.Interop;

/// <summary>
/// Finds libfeddistill_torch.so for this assembly and checks that its ABI version matches the
/// binding's before any other native call runs, so a stale native build fails with a message
/// instead of a crash.
/// </summary>
internal static class NativeLibraryResolver
{
    /// <summary>Environment variable naming the native library file explicitly.</summary>
    public const string LibraryPathVariable = "FEDDISTILL_NATIVE_LIBRARY";

    private const string FileName = "libfeddistill_torch.so";

#pragma warning disable CA2255 // A module initializer is the one place that runs before any P/Invoke of this assembly.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NativeMethods.LibraryName) return IntPtr.Zero;
        var candidates = Candidates().ToList();
        foreach (var path in candidates)
        {
            if (!File.Exists(path)) continue;
            var handle = NativeLibrary.Load(path);
            CheckAbiVersion(handle, path);
            return handle;
        }
        throw new DllNotFoundException(
            $"{FileName} was not found (looked in: {string.Join(", ", candidates)}). " +
            "Build it with './run build', or set " + LibraryPathVariable + " to its path.");
    }

    private static IEnumerable<string> Candidates()
    {
        var explicitPath = Environment.GetEnvironmentVariable(LibraryPathVariable);
        if (!string.IsNullOrEmpty(explicitPath)) yield return explicitPath;
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        var repoRoot = Environment.GetEnvironmentVariable("FEDDISTILL_REPO_ROOT");
        if (!string.IsNullOrEmpty(repoRoot)) yield return Path.Combine(repoRoot, "artifacts", "native", FileName);
    }

    private static unsafe void CheckAbiVersion(IntPtr library, string path)
    {
        var export = NativeLibrary.GetExport(library, "fd_abi_version");
        var version = ((delegate* unmanaged<int>)export)();
        if (version != NativeMethods.AbiVersion)
        {
            throw new InvalidOperationException(
                $"{path} implements native ABI version {version}, but FedDistill.Torch needs version " +
                $"{NativeMethods.AbiVersion}. Rebuild the native shim ('./run build').");
        }
    }
}
