using System.Text.Json;

namespace FedDistill.Torch.Tests.Reference;

/// <summary>
/// reference.json, written by make_reference.py (PyTorch 1.13, Debian's python3-torch) and copied
/// next to the test assembly: the inputs and PyTorch's outputs the numeric tests compare with.
/// </summary>
internal static class ReferenceData
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "reference.json"))));

    /// <summary>The case called <paramref name="name"/> under "cases".</summary>
    public static ReferenceCase Case(string name) =>
        new ReferenceCase("cases", Document.Value.RootElement.GetProperty("cases")).Child(name);
}
