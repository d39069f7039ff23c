using System.Diagnostics;

namespace FedDistill.Serving.Tests.Onnx;

/// <summary>Runs the reference ONNX checker (Debian's python3-onnx) on a file, in a child process.</summary>
internal static class OnnxChecker
{
    private const string Python = "/usr/bin/python3";
    private const string Script = "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)";

    /// <summary>Fails the test, with the checker's own words, unless <c>onnx.checker.check_model(full_check=True)</c> accepts <paramref name="path"/>.</summary>
    public static void AssertValid(string path)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The ONNX checker did not finish within 2 minutes on {path}.");
        }
        var text = output.Result + error.Result;
        Assert.True(process.ExitCode == 0,
            text.Contains("No module named 'onnx'", StringComparison.Ordinal)
                ? $"Python's onnx package is missing: apt-get install python3-onnx. {text}"
                : $"onnx.checker rejects {Path.GetFileName(path)} (exit {process.ExitCode}): {text}");
    }
}
