using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace FedDistill.Bench;

/// <summary>Runs bench/reference/pytorch_reference.py (Debian's python3-torch) and reads its JSON.</summary>
public static class PyTorchReference
{
    /// <summary>One run of the reference at one thread count.</summary>
    /// <param name="Cases">Samples per second by case name.</param>
    /// <param name="TorchVersion">torch.__version__.</param>
    /// <param name="Blas">The BLAS library files the reference process had loaded (realpaths), or empty.</param>
    public sealed record Result(IReadOnlyDictionary<string, double> Cases, string TorchVersion, IReadOnlyList<string> Blas)
    {
        /// <summary>Debian's netlib reference BLAS (libblas3, /usr/lib/x86_64-linux-gnu/blas/).</summary>
        public bool IsReferenceBlas => Blas.Any(path => path.Contains("/blas/libblas", StringComparison.Ordinal));

        /// <summary>"OpenBLAS (openblas-pthread)", "netlib reference BLAS (libblas3)", the file name, or "none loaded".</summary>
        public string BlasDescription => Blas.Count == 0
            ? "none loaded"
            : string.Join(", ", Blas.Select(path =>
                path.Contains("openblas", StringComparison.OrdinalIgnoreCase)
                    ? $"OpenBLAS ({Path.GetFileName(Path.GetDirectoryName(path))})"
                    : path.Contains("/blas/libblas", StringComparison.Ordinal) ? "netlib reference BLAS (libblas3)" : Path.GetFileName(path)).Distinct());
    }

    /// <summary>
    /// Runs the reference with <paramref name="threads"/> intra-op threads. OMP_NUM_THREADS,
    /// OPENBLAS_NUM_THREADS and MKL_NUM_THREADS are set to the same count, so that an OpenBLAS
    /// with its own thread pool (libopenblas0-pthread) does not run its matrix products on every
    /// core while torch runs on one.
    /// </summary>
    public static Result Run(string repositoryRoot, int threads, double seconds)
    {
        var python = Environment.GetEnvironmentVariable("FEDDISTILL_PYTHON") ?? "/usr/bin/python3";
        var script = Path.Combine(repositoryRoot, "bench", "reference", "pytorch_reference.py");
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var count = threads.ToString(CultureInfo.InvariantCulture);
        foreach (var variable in new[] { "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS" })
            start.Environment[variable] = count;
        foreach (var argument in new[] { script, "--threads", count, "--seconds", seconds.ToString(CultureInfo.InvariantCulture), "--json" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"The PyTorch reference failed (exit {process.ExitCode}): {stderr.Result}");
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        var cases = root.GetProperty("cases").EnumerateObject().ToDictionary(property => property.Name, property => property.Value.GetDouble());
        var version = root.TryGetProperty("torch_version", out var v) ? v.GetString() ?? "?" : "?";
        var blas = root.TryGetProperty("blas", out var b) ? b.EnumerateArray().Select(e => e.GetString() ?? "").Where(s => s.Length > 0).ToArray() : [];
        return new Result(cases, version, blas);
    }
}
