using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FedDistill.Grains;

namespace FedDistill.Client.Operator;

/// <summary>
/// One operator command's run: where its output goes and its connection to the federation, opened
/// on first use so that a command checks its own input before it needs a network.
/// Disposing closes the connection if it was opened.
/// </summary>
public sealed class OperatorSession : IAsyncDisposable
{
    private readonly ConnectionSettings _settings;
    private ClusterConnection? _connection;

    /// <summary>Creates the session; nothing is opened yet.</summary>
    /// <param name="commandName">The command's name for messages, e.g. <c>rounds start</c>.</param>
    /// <param name="settings">How to reach the federation and whether to print JSON.</param>
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

    /// <summary>The federation's aggregator grain, connecting on first use.</summary>
    /// <exception cref="OperatorUsageException">The gateway is malformed.</exception>
    /// <exception cref="GatewayUnreachableException">No gateway answered in time.</exception>
    public async Task<IAggregatorGrain> AggregatorAsync(CancellationToken cancellationToken)
    {
        _connection ??= await ClusterConnection.ConnectAsync(_settings, cancellationToken).ConfigureAwait(false);
        return _connection.Aggregator;
    }

    /// <summary>The Orleans client (it hosts observers such as <c>rounds watch</c>'s) and the aggregator grain, connecting on first use.</summary>
    /// <exception cref="OperatorUsageException">The gateway is malformed.</exception>
    /// <exception cref="GatewayUnreachableException">No gateway answered in time.</exception>
    public async Task<(IGrainFactory Grains, IAggregatorGrain Aggregator)> ClusterAsync(CancellationToken cancellationToken)
    {
        var aggregator = await AggregatorAsync(cancellationToken).ConfigureAwait(false);
        return (_connection!.Client, aggregator);
    }

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
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
