namespace FedDistill.Client.Rendering;

/// <summary>
/// An <see cref="IProgress{T}"/> that handles each report on the reporting thread, in order:
/// <see cref="Progress{T}"/> would post reports to the thread pool and lose their order.
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => handler(value);
}
