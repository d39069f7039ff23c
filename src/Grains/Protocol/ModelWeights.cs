using FedDistill.Grains.Protocol.Safetensors;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace FedDistill.Grains.Protocol;

/// <summary>
/// A model's weights (its state dict: parameters and buffers) as a safetensors file: how the
/// aggregator publishes students, the console downloads and evaluates them, and clients keep
/// their teachers' checkpoints. PyTorch's <c>safetensors.torch.load_file</c> reads the files.
/// </summary>
/// <remarks>
/// <para>
/// TorchSharp.PyBridge converts between tensors and safetensors bytes
/// (<c>save_safetensors</c>, <c>load_safetensors</c>). Around it, the file goes through this
/// project's own hardened reader and canonical writer: what is saved is laid out as
/// <see cref="SafetensorsWriter"/> lays out every file (tensors aligned, the same bytes for the
/// same weights, so SHA-256 addresses are stable) with the given metadata; what is loaded is
/// first checked by <see cref="SafetensorsReader"/> and then against the module, so a malformed
/// file or one of another architecture changes nothing.
/// </para>
/// <para>Synchronous: call it on the thread that owns the module, never across an await.</para>
/// </remarks>
public static class ModelWeights
{
    /// <summary>The module's state dict as safetensors bytes, owned by the caller.</summary>
    /// <param name="module">The model; its tensors must be on the CPU.</param>
    /// <param name="metadata">String metadata for the header (for example the format, kind and version); null for none.</param>
    public static byte[] Save(nn.Module module, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafetensorsWriter.ToBytes(Entries(module), metadata);

    /// <summary>Writes the module's state dict to <paramref name="path"/> atomically (a reader sees the old file or the new one).</summary>
    /// <param name="module">The model; its tensors must be on the CPU.</param>
    /// <param name="path">The file, created or replaced.</param>
    /// <param name="metadata">String metadata for the header; null for none.</param>
    /// <exception cref="IOException">Writing failed; <paramref name="path"/> is unchanged.</exception>
    public static void SaveFile(nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafetensorsWriter.WriteFile(path, Entries(module), metadata);

    /// <summary>
    /// Loads weights saved by <see cref="Save"/> (or by PyTorch's safetensors) into
    /// <paramref name="module"/>. Nothing changes unless the file is well formed and every
    /// tensor of the module is there with its dtype and shape, and no other.
    /// </summary>
    /// <param name="module">The model to load into.</param>
    /// <param name="file">The whole safetensors file.</param>
    /// <exception cref="FormatException">The bytes are not a well-formed safetensors file; the message says what is wrong.</exception>
    /// <exception cref="ArgumentException">The weights do not fit the module; the message names each tensor that differs.</exception>
    public static void Load(nn.Module module, ReadOnlyMemory<byte> file)
    {
        ArgumentNullException.ThrowIfNull(module);
        Load(module, SafetensorsReader.Read(file));
    }

    /// <summary>Loads the weights in the file at <paramref name="path"/>, as <see cref="Load(nn.Module, ReadOnlyMemory{byte})"/> does.</summary>
    /// <param name="module">The model to load into.</param>
    /// <param name="path">The safetensors file.</param>
    /// <exception cref="FormatException">The file is not a well-formed safetensors file.</exception>
    /// <exception cref="ArgumentException">The weights do not fit the module.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static void LoadFile(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        Load(module, SafetensorsReader.ReadFile(path));
    }

    private static IReadOnlyList<SafetensorsEntry> Entries(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var stream = new MemoryStream();
        module.save_safetensors(stream, leaveOpen: true);

        // PyBridge writes the tensors in state-dict order without padding; reading its output
        // back checks it, and the entries are views into the stream's buffer, not copies.
        return SafetensorsReader.Read(stream.GetBuffer().AsMemory(0, checked((int)stream.Length))).Entries;
    }

    private static void Load(nn.Module module, SafetensorsDocument document)
    {
        CheckFits(module, document);

        // PyBridge's reader sees only checked tensors, in the canonical layout and without metadata.
        using var stream = new MemoryStream(SafetensorsWriter.ToBytes(document.Entries), writable: false);
        using var scope = torch.NewDisposeScope();
        module.load_safetensors(stream, strict: true, leaveOpen: true);
    }

    private static void CheckFits(nn.Module module, SafetensorsDocument document)
    {
        const int MaxListed = 8;
        var state = module.state_dict();
        var problems = new List<string>();
        foreach (var (name, tensor) in state)
        {
            if (!document.TryGetEntry(name, out var entry))
            {
                problems.Add($"'{name}' is missing");
                continue;
            }

            var expected = ToSafetensors(tensor.dtype);
            if (expected != entry.DType)
                problems.Add($"'{name}' is {entry.DType} but the model's is {tensor.dtype}");
            if (!entry.Shape.SequenceEqual(tensor.shape))
                problems.Add($"'{name}' has shape {SafetensorsEntry.FormatShape(entry.Shape.ToArray())} but the model's is {SafetensorsEntry.FormatShape(tensor.shape)}");
        }

        foreach (var entry in document.Entries)
        {
            if (!state.ContainsKey(entry.Name)) problems.Add($"'{entry.Name}' is not a tensor of the model");
        }

        if (problems.Count > 0)
        {
            var listed = string.Join("; ", problems.Take(MaxListed));
            var more = problems.Count > MaxListed ? $"; and {problems.Count - MaxListed} more" : "";
            throw new ArgumentException($"The weights do not fit the model: {listed}{more}.", nameof(module));
        }
    }

    private static SafetensorsDType? ToSafetensors(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => SafetensorsDType.Float32,
        ScalarType.Float16 => SafetensorsDType.Float16,
        ScalarType.BFloat16 => SafetensorsDType.BFloat16,
        ScalarType.Float64 => SafetensorsDType.Float64,
        ScalarType.Int64 => SafetensorsDType.Int64,
        ScalarType.Int32 => SafetensorsDType.Int32,
        ScalarType.Int16 => SafetensorsDType.Int16,
        ScalarType.Int8 => SafetensorsDType.Int8,
        ScalarType.Byte => SafetensorsDType.UInt8,
        ScalarType.Bool => SafetensorsDType.Bool,
        _ => null,
    };
}
