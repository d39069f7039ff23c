namespace FedDistill.Distillation.Tests.Configuration;

/// <summary>An <see cref="IProgress{T}"/> that keeps every report, in order, on the reporting thread.</summary>
public sealed class RecordingProgress<T> : IProgress<T>
{
    private readonly List<T> _reports = [];

    public IReadOnlyList<T> Reports => _reports;

    public void Report(T value) => _reports.Add(value);
}
