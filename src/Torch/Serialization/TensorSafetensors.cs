using FedDistill.Torch.Nn;

namespace FedDistill.Torch.Serialization;

/// <summary>Saves and loads tensors, state dicts and modules as safetensors files.</summary>
public static class TensorSafetensors
{
    /// <summary>An entry holding a copy of <paramref name="tensor"/>'s elements (moved to the CPU if needed).</summary>
    public static SafetensorsEntry ToEntry(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new SafetensorsEntry(name, tensor.DType, tensor.Shape, tensor.ToBytes());
    }

    /// <summary>A new tensor (owned by the caller or the current dispose scope) holding the entry's values.</summary>
    public static Tensor ToTensor(SafetensorsEntry entry, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Tensor.FromBytes(entry.Data.Span, entry.DType, entry.Shape.ToArray(), device);
    }

    /// <summary>Writes named tensors to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        SafetensorsWriter.WriteFile(path, tensors.Select(pair => ToEntry(pair.Key, pair.Value)).ToList(), metadata);
    }

    /// <summary>Reads every tensor of a safetensors file; the caller owns (and disposes) them.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not valid safetensors.</exception>
    public static Dictionary<string, Tensor> Load(string path, Device? device = null)
    {
        var document = SafetensorsReader.ReadFile(path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in document.Entries)
            tensors.Add(entry.Name, ToTensor(entry, device).DetachFromDisposeScope());
        return tensors;
    }

    /// <summary>Saves the module's state dict (parameters and buffers) to <paramref name="path"/> atomically.</summary>
    public static void SaveStateDict(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        Save(path, module.StateDict(), metadata);
    }

    /// <summary>
    /// Loads a state dict saved by <see cref="SaveStateDict"/> (or by PyTorch's safetensors) into
    /// the module. Nothing changes unless every name and shape fits.
    /// </summary>
    public static void LoadStateDict(this Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var tensors = Load(path);
        try
        {
            module.LoadStateDict(tensors, strict);
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
    }
}
