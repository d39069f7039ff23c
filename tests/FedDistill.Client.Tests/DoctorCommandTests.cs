using FedDistill.Client.Tests.Support;

namespace FedDistill.Client.Tests;

/// <summary>
/// <c>feddistill doctor</c> as a new process: TorchSharp and its libtorch load from the console's own
/// output folder (where the build marks libLibTorchSharp.so's GLIBCXX_3.4.32 need weak, so that it
/// loads on Debian 12's older libstdc++), and a model runs forward and backward there.
/// </summary>
public sealed class DoctorCommandTests
{
    /// <summary>
    /// Proves that a fresh process, not only the test host that already has libtorch loaded, can
    /// load TorchSharp from the console's build output on this machine: doctor exits 0, reports
    /// libtorch 2.10, and its forward and backward pass succeeds.
    /// </summary>
    [Fact]
    public async Task Doctor_loads_libtorch_2_10_in_a_fresh_process_and_runs_a_forward_and_backward_pass()
    {
        var result = await ConsoleRunner.RunAsync(["doctor"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("libtorch 2.10", result.Output, StringComparison.Ordinal);
        Assert.Contains("forward and backward: ok", result.Output, StringComparison.Ordinal);
    }
}
