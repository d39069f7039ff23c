using System.Text.Json;

namespace FedDistill.Torch.Tests.Reference;

/// <summary>One named case of reference.json: inputs and PyTorch's outputs by name.</summary>
internal sealed class ReferenceCase(string path, JsonElement element)
{
    public ReferenceTensor this[string name] => ReferenceTensor.Parse(Property(name));

    /// <summary>A new tensor holding the named input; the caller owns it.</summary>
    public Tensor Tensor(string name) => this[name].ToTensor();

    public double Number(string name) => Property(name).GetDouble();

    public long Integer(string name) => Property(name).GetInt64();

    public bool Boolean(string name) => Property(name).GetBoolean();

    public double[] Numbers(string name) => Property(name).EnumerateArray().Select(value => value.GetDouble()).ToArray();

    public ReferenceCase Child(string name) => new($"{path}.{name}", Property(name));

    public IEnumerable<ReferenceCase> Items(string name) =>
        Property(name).EnumerateArray().Select((item, index) => new ReferenceCase($"{path}.{name}[{index}]", item));

    private JsonElement Property(string name) =>
        element.TryGetProperty(name, out var value) ? value : throw new KeyNotFoundException($"reference.json has no '{path}.{name}'.");
}
