using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FedDistill.Transport;

namespace FedDistill.Client.Operator;

/// <summary>
/// One operator command's run: where its output goes and its connection to the aggregator, opened
/// on first use so that a command checks its own input before it needs certificates or a network.
/// Disposing closes the connection if it was opened.
/// </summary>
public sealed class OperatorSession : IDisposable
{
    private readonly ConnectionSettings _settings;
    private AggregatorConnection? _connection;

    /// <summary>Creates the session; nothing is opened yet.</summary>
    /// <param name="commandName">The command's name for messages, e.g. <c>rounds start</c>.</param>
    /// <param name="settings">How to reach the aggregator and whether to print JSON.</param>
    /// <param name="output">Standard output: the result, text or JSON.</param>
    /// <param name="error">Standard error: progress lines in JSON mode, warnings and errors.</param>
    public OperatorSession(string commandName, ConnectionSettings settings, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(settings);
        CommandName = commandName;
        _settings = settings;
        Output = output;
        Error = error;
    }

    /// <summary>The command's name for messages.</summary>
    public string CommandName { get; }

    /// <summary>Whether to print one JSON document instead of text.</summary>
    public bool Json => _settings.Json;

    /// <summary>Standard output.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>The connection, opened on first use.</summary>
    /// <exception cref="OperatorUsageException">The URL is missing or does not fit the mode.</exception>
    /// <exception cref="CertificateProblemException">A certificate option or file is missing or unreadable.</exception>
    public AggregatorConnection Connection => _connection ??= AggregatorConnection.Open(_settings);

    /// <summary>The aggregator's API (opens the connection on first use).</summary>
    public HttpAggregatorClient Aggregator => Connection.Aggregator;

    /// <summary>Writes <paramref name="value"/> as one JSON document on <see cref="Output"/>.</summary>
    public void WriteJson<T>(T value, JsonTypeInfo<T> type) => Output.WriteLine(JsonSerializer.Serialize(value, type));

    /// <summary>Writes the JSON document in JSON mode, else the text that <paramref name="text"/> makes of the value.</summary>
    public void Write<T>(T value, JsonTypeInfo<T> type, Func<T, string> text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Json) WriteJson(value, type);
        else Output.WriteLine(text(value));
    }

    /// <summary>A progress or note line: on standard error in JSON mode (standard output holds one document), else on standard output.</summary>
    public void Note(string line) => (Json ? Error : Output).WriteLine(line);

    /// <inheritdoc />
    public void Dispose() => _connection?.Dispose();
}
