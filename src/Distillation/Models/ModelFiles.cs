using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Models;

/// <summary>
/// Model weights and modules in the files PyTorch users already have: state dicts saved with
/// <c>torch.save(model.state_dict(), path)</c> (<c>.pt</c>, <c>.pth</c>, <c>.bin</c>) or with
/// safetensors (<c>.safetensors</c>), through TorchSharp.PyBridge; and whole TorchScript modules
/// (<c>torch.jit.script(model).save(path)</c>), through libtorch's own loader.
/// </summary>
/// <remarks>
/// The format of a state dict file is chosen by its extension: <c>.safetensors</c> is safetensors,
/// anything else a PyTorch pickle. Loading is strict: every parameter and buffer of the module must
/// be in the file with its shape, and the file must hold nothing else.
/// </remarks>
public static class ModelFiles
{
    /// <summary>The extension of safetensors files.</summary>
    public const string SafetensorsExtension = ".safetensors";

    /// <summary>True when <paramref name="path"/> names a safetensors file (else a PyTorch pickle).</summary>
    public static bool IsSafetensors(string path) => path.EndsWith(SafetensorsExtension, StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads a state dict file into <paramref name="module"/>'s parameters and buffers.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a state dict, or does not fit the module (the message lists every name and shape that is off); the module is unchanged.</exception>
    public static void LoadWeights(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no state dict file '{path}'.", path);
        var format = IsSafetensors(path) ? "safetensors" : "PyTorch (torch.save)";
        using var stream = File.OpenRead(path);
        Load(module, stream, IsSafetensors(path), $"'{path}' is not a {format} state dict that fits this model");
    }

    /// <summary>
    /// Writes <paramref name="module"/>'s state dict to <paramref name="path"/>: safetensors for a
    /// <c>.safetensors</c> path, else a PyTorch pickle that <c>torch.load</c> reads. The file is
    /// written beside and renamed into place, so a reader never sees half of it.
    /// </summary>
    public static void SaveWeights(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            if (IsSafetensors(path)) module.save_safetensors(stream, leaveOpen: true);
            else module.save_py(stream, leaveOpen: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Reads the whole state dict first and checks every name and shape against the module's own:
    /// TorchSharp copies values with <c>copy_</c>, which broadcasts, so a [1, 16] weight would
    /// otherwise fill a [10, 16] one without a word. Only a state dict that fits is copied in.
    /// </summary>
    private static void Load(nn.Module module, Stream stream, bool safetensors, string problem)
    {
        Dictionary<string, Tensor> state;
        try
        {
            state = safetensors
                ? Safetensors.LoadStateDict(stream, leaveOpen: true)
                : PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true).Cast<System.Collections.DictionaryEntry>()
                    .ToDictionary(entry => (string)entry.Key, entry => (Tensor)entry.Value!);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{problem}: {error.Message}", error);
        }

        try
        {
            var expected = module.state_dict();
            var problems = new List<string>();
            foreach (var (name, tensor) in expected)
            {
                if (!state.TryGetValue(name, out var stored)) problems.Add($"'{name}' is missing");
                else if (!stored.shape.SequenceEqual(tensor.shape))
                    problems.Add($"'{name}' is [{string.Join(", ", stored.shape)}], the model's is [{string.Join(", ", tensor.shape)}]");
            }
            problems.AddRange(state.Keys.Where(name => !expected.ContainsKey(name)).Select(name => $"'{name}' is not in the model"));
            if (problems.Count > 0) throw new InvalidDataException($"{problem}: {string.Join("; ", problems)}.");
            using var noGrad = torch.no_grad();
            module.load_state_dict(state, strict: true);
        }
        finally
        {
            foreach (var tensor in state.Values) tensor.Dispose();
        }
    }

    /// <summary>
    /// Loads a TorchScript module (from PyTorch's <c>torch.jit.save</c> or <see cref="SaveTorchScript"/>)
    /// in evaluation mode; its parameters can be trained like any module's. The caller owns it.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">libtorch cannot read the file as TorchScript.</exception>
    public static jit.ScriptModule<Tensor, Tensor> LoadTorchScript(string path, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no TorchScript file '{path}'.", path);
        try
        {
            var module = device is null ? jit.load<Tensor, Tensor>(path) : jit.load<Tensor, Tensor>(path, device);
            module.eval();
            return module;
        }
        catch (ExternalException error)
        {
            throw new InvalidDataException($"'{path}' is not a TorchScript module libtorch can load: {error.Message}", error);
        }
    }

    /// <summary>Saves a TorchScript module so that PyTorch's <c>torch.jit.load</c> (1.13 and later) reads it.</summary>
    public static void SaveTorchScript(jit.ScriptModule module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var temporary = path + ".tmp";
        jit.save(module, temporary);
        File.Move(temporary, path, overwrite: true);
    }
}
