using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>Keeps every log message of a silo (category, formatted message, exception) for tests that read what it logged.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();

    public int Count => _messages.Count;

    /// <summary>The messages from the <paramref name="from"/>-th on.</summary>
    public IReadOnlyList<string> Since(int from) => _messages.ToArray().Skip(from).ToList();

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _messages);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
