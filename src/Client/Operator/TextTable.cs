using System.Text;

namespace FedDistill.Client.Operator;

/// <summary>A fixed-width text table for the console's human output: the same on every terminal and in a log.</summary>
public sealed class TextTable
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    /// <summary>Creates a table with these column headers.</summary>
    public TextTable(params string[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _headers = headers;
    }

    /// <summary>Adds a row; missing cells are blank, extra cells are an error.</summary>
    /// <exception cref="ArgumentException">More cells than columns.</exception>
    public TextTable Add(params string?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length > _headers.Length) throw new ArgumentException($"A row has {cells.Length} cells for {_headers.Length} columns.", nameof(cells));
        _rows.Add(Enumerable.Range(0, _headers.Length).Select(i => i < cells.Length ? cells[i] ?? "" : "").ToArray());
        return this;
    }

    /// <summary>The rows added so far.</summary>
    public int Count => _rows.Count;

    /// <summary>The table: a header line, then one line per row, columns two spaces apart, no trailing blanks.</summary>
    public override string ToString()
    {
        var widths = _headers.Select((header, i) => _rows.Select(row => row[i].Length).Prepend(header.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var line in _rows.Prepend(_headers))
        {
            var cells = line.Select((cell, i) => i == line.Length - 1 ? cell : cell.PadRight(widths[i]));
            text.AppendLine(string.Join("  ", cells).TrimEnd());
        }

        return text.ToString().TrimEnd('\r', '\n');
    }
}
