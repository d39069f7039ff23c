using System.Globalization;
using System.Text.RegularExpressions;
using TorchSharp;

namespace FedDistill.Distillation.Compute;

/// <summary>
/// Turns a device name from configuration (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, or
/// <c>auto</c>/empty for "the first GPU when there is one, else the CPU") into a TorchSharp device,
/// checking that it exists on this machine.
/// </summary>
public static partial class ComputeDevice
{
    /// <summary>The name that picks CUDA when available and the CPU otherwise.</summary>
    public const string Auto = "auto";

    /// <summary>The device names this method accepts, for error messages and help texts.</summary>
    public const string AllowedNames = "auto, cpu, cuda, cuda:N";

    /// <summary>
    /// Resolves <paramref name="name"/> to a device. Null, empty and <c>auto</c> mean CUDA when
    /// libtorch sees a GPU, else the CPU.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The name is not one of <see cref="AllowedNames"/>, or names a CUDA device this machine
    /// (or this build, on the CPU-only TorchSharp package) does not have.
    /// </exception>
    public static torch.Device Resolve(string? name)
    {
        var text = name?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(text) || text == Auto)
            return torch.cuda.is_available() ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
        if (text == "cpu") return torch.CPU;
        var match = CudaName().Match(text);
        if (!match.Success)
            throw new ArgumentException($"Device '{name}' is not one of {AllowedNames}.", nameof(name));
        var index = match.Groups[1].Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var available = torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        if (index >= available)
        {
            throw new ArgumentException(available == 0
                ? $"Device '{name}' asks for CUDA, but libtorch sees no GPU here (a CPU-only TorchSharp build, or no driver); use cpu or auto."
                : $"Device '{name}' does not exist: libtorch sees {available} GPU(s), cuda:0 to cuda:{available - 1}.", nameof(name));
        }
        return new torch.Device(DeviceType.CUDA, index);
    }

    /// <summary>Checks a device name without resolving it against the hardware; null when valid, else the problem.</summary>
    public static string? Validate(string? name)
    {
        var text = name?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(text) || text is Auto or "cpu" || CudaName().IsMatch(text)) return null;
        return $"'{name}' is not one of {AllowedNames}";
    }

    /// <summary>A short description for logs: <c>cpu (2 threads)</c> or <c>cuda:0</c>.</summary>
    public static string Describe(torch.Device device) =>
        device.type == DeviceType.CPU
            ? string.Create(CultureInfo.InvariantCulture, $"cpu ({torch.get_num_threads()} threads)")
            : device.ToString();

    [GeneratedRegex("^cuda(?::([0-9]{1,3}))?$")]
    private static partial Regex CudaName();
}
