using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FedDistill.Distillation.Compute;
using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Client.Commands;

/// <summary>
/// <c>feddistill doctor [--device NAME]</c>: checks the compute stack on this machine — TorchSharp
/// and libtorch load, the device exists, and a small CNN runs a forward and backward pass — and
/// prints what it found. The first thing to run on a new node (exit 0 when everything works).
/// </summary>
public static class DoctorCommand
{
    /// <summary>Everything works.</summary>
    public const int Healthy = 0;

    /// <summary>Something failed; the reason is on standard error.</summary>
    public const int Unhealthy = 1;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var device = new Option<string>("--device")
        {
            Description = $"The device to check: {ComputeDevice.AllowedNames} (default auto).",
            DefaultValueFactory = _ => ComputeDevice.Auto,
        };
        var command = new Command("doctor", "Check that TorchSharp and libtorch load and can train on this machine's device.") { device };
        command.SetAction(parse => Run(parse.GetValue(device)!, Console.Out, Console.Error));
        return command;
    }

    /// <summary>Runs the checks, printing one line per finding; returns the exit code.</summary>
    public static int Run(string deviceName, TextWriter output, TextWriter error)
    {
        try
        {
            output.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"CUDA: {(torch.cuda.is_available() ? $"{torch.cuda.device_count()} device(s)" : "not available")}; intra-op threads: {torch.get_num_threads()}"));
            var device = ComputeDevice.Resolve(deviceName);
            output.WriteLine($"device: {ComputeDevice.Describe(device)}");

            var watch = Stopwatch.StartNew();
            using var model = new SmallCnn();
            model.to(device);
            using (var scope = torch.NewDisposeScope())
            {
                var input = torch.randn([8, 1, 28, 28], device: device);
                var labels = torch.randint(0, 10, [8], device: device);
                var loss = nn.functional.cross_entropy(model.forward(input), labels);
                loss.backward();
                var gradientNorm = model.parameters().Select(parameter => parameter.grad!.norm().item<float>()).Sum();
                if (!float.IsFinite(loss.item<float>()) || !(gradientNorm > 0))
                {
                    error.WriteLine($"doctor: the forward and backward pass gave loss {loss.item<float>()} and gradient norm {gradientNorm}.");
                    return Unhealthy;
                }
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"forward and backward: ok ({watch.Elapsed.TotalMilliseconds:F0} ms)"));
            return Healthy;
        }
        catch (ArgumentException exception)
        {
            error.WriteLine($"doctor: {exception.Message}");
            return Unhealthy;
        }
        catch (Exception exception) when (exception is DllNotFoundException or TypeInitializationException or NotSupportedException)
        {
            error.WriteLine($"doctor: TorchSharp could not load libtorch: {exception.GetBaseException().Message}");
            return Unhealthy;
        }
    }
}
