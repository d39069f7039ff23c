using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace FedDistill.Grains.Protocol.Safetensors;

/// <summary>
/// The contents of a safetensors file: its tensors in a fixed order, found by name, and the
/// free-form string metadata of its header.
/// </summary>
/// <remarks>
/// A document read by <see cref="SafetensorsReader"/> lists its entries in the order of their
/// bytes in the file. The entries' data is not copied (see <see cref="SafetensorsEntry.Data"/>).
/// </remarks>
internal sealed class SafetensorsDocument
{
    private readonly Dictionary<string, SafetensorsEntry> byName;

    /// <summary>Creates a document from entries with distinct names and optional metadata.</summary>
    /// <param name="entries">The tensors, kept in the order given.</param>
    /// <param name="metadata">String metadata (copied); null for none.</param>
    /// <exception cref="ArgumentException">Two entries share a name, or an entry or metadata value is null.</exception>
    public SafetensorsDocument(IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<SafetensorsEntry>();
        byName = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry is null)
            {
                throw new ArgumentException("The entries contain null.", nameof(entries));
            }

            if (!byName.TryAdd(entry.Name, entry))
            {
                throw new ArgumentException($"Two entries are named '{entry.Name}'; tensor names must be unique.", nameof(entries));
            }

            list.Add(entry);
        }

        Entries = list.AsReadOnly();
        Metadata = CopyMetadata(metadata);
    }

    /// <summary>The tensors, in file order for a document that was read.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The header's <c>__metadata__</c> pairs; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The number of tensors.</summary>
    public int Count => Entries.Count;

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <param name="name">The tensor's name (ordinal, case-sensitive).</param>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public SafetensorsEntry this[string name] =>
        byName.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"The document holds no tensor named '{name}'.");

    /// <summary>Whether a tensor named <paramref name="name"/> exists.</summary>
    /// <param name="name">The tensor's name (ordinal, case-sensitive).</param>
    public bool Contains(string name) => byName.ContainsKey(name);

    /// <summary>Looks up a tensor by name without throwing.</summary>
    /// <param name="name">The tensor's name (ordinal, case-sensitive).</param>
    /// <param name="entry">The tensor, or null when there is none.</param>
    /// <returns>True when the tensor exists.</returns>
    public bool TryGetEntry(string name, [NotNullWhen(true)] out SafetensorsEntry? entry) =>
        byName.TryGetValue(name, out entry);

    private static ReadOnlyDictionary<string, string> CopyMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                if (value is null)
                {
                    throw new ArgumentException($"Metadata '{key}' has a null value; the format holds only strings.", nameof(metadata));
                }

                copy.Add(key, value);
            }
        }

        return copy.AsReadOnly();
    }
}
