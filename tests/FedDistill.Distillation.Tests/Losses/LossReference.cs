using System.Text.Json;
using TorchSharp;

namespace FedDistill.Distillation.Tests.Losses;

/// <summary>
/// One case of reference/loss_reference.json, written by make_loss_reference.py (PyTorch 1.13,
/// Debian's python3-torch) and copied next to the test assembly: inputs and PyTorch's outputs.
/// </summary>
internal sealed class LossReference
{
    private static readonly Lazy<JsonElement> Cases = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Losses", "reference", "loss_reference.json")))
            .RootElement.GetProperty("cases"));

    private readonly string _name;
    private readonly JsonElement _element;

    private LossReference(string name, JsonElement element)
    {
        _name = name;
        _element = element;
    }

    public static LossReference Case(string name) =>
        Cases.Value.TryGetProperty(name, out var element) ? new LossReference(name, element) : throw new KeyNotFoundException($"No reference case '{name}'.");

    /// <summary>A new tensor holding the named entry with PyTorch's dtype (float32 or int64); the caller owns it.</summary>
    public torch.Tensor Tensor(string name)
    {
        var entry = Property(name);
        var shape = entry.GetProperty("shape").EnumerateArray().Select(size => size.GetInt64()).ToArray();
        var data = Values(name);
        return entry.GetProperty("dtype").GetString() switch
        {
            "float32" => torch.tensor(Array.ConvertAll(data, value => (float)value), shape),
            "int64" => torch.tensor(Array.ConvertAll(data, value => checked((long)value)), shape),
            var other => throw new NotSupportedException($"Reference dtype {other}."),
        };
    }

    /// <summary>The named entry's values, row-major.</summary>
    public double[] Values(string name) =>
        Property(name).GetProperty("data").EnumerateArray().Select(value => value.GetDouble()).ToArray();

    /// <summary>The single value of a scalar entry (a loss).</summary>
    public double Scalar(string name)
    {
        var values = Values(name);
        return values.Length == 1 ? values[0] : throw new InvalidOperationException($"'{_name}.{name}' holds {values.Length} values.");
    }

    /// <summary>A plain number (a hyper-parameter).</summary>
    public double Number(string name) => Property(name).GetDouble();

    private JsonElement Property(string name) =>
        _element.TryGetProperty(name, out var value) ? value : throw new KeyNotFoundException($"Reference case '{_name}' has no '{name}'.");
}
