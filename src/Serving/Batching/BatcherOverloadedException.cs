namespace FedDistill.Serving.Batching;

/// <summary>
/// A request was refused because <see cref="BatchingOptions.QueueCapacity"/> requests were already
/// waiting: the server is overloaded, and the client should retry later (HTTP 503 with Retry-After).
/// Nothing was queued for the refused request.
/// </summary>
public sealed class BatcherOverloadedException : Exception
{
    /// <summary>Creates the refusal for a queue of <paramref name="queueCapacity"/> requests.</summary>
    public BatcherOverloadedException(int queueCapacity)
        : base($"The server is overloaded: {queueCapacity} requests are already waiting for a batch (BatchingOptions.QueueCapacity). Retry later.")
    {
        QueueCapacity = queueCapacity;
    }

    /// <summary>The capacity of the queue that was full.</summary>
    public int QueueCapacity { get; }
}
