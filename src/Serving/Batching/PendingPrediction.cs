namespace FedDistill.Serving.Batching;

/// <summary>
/// One request waiting in <see cref="DynamicBatcher"/>: its examples, when it arrived, and the task
/// its caller awaits. Completed exactly once: with its logits, the batch's failure, or its
/// cancellation (which may come at any time, from the caller's token).
/// </summary>
internal sealed class PendingPrediction
{
    // Continuations run on the thread pool, never inline on the batch loop that completes them.
    private readonly TaskCompletionSource<float[]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _cancellation;

    public PendingPrediction(ReadOnlyMemory<float> examples, int count, long arrivedAt, CancellationToken cancellationToken)
    {
        Examples = examples;
        Count = count;
        ArrivedAt = arrivedAt;
        if (cancellationToken.CanBeCanceled)
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PendingPrediction)state!)._completion.TrySetCanceled(token), this);
    }

    /// <summary>The examples, back to back.</summary>
    public ReadOnlyMemory<float> Examples { get; }

    /// <summary>How many examples.</summary>
    public int Count { get; }

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> at which the request was queued.</summary>
    public long ArrivedAt { get; }

    /// <summary>What the caller awaits.</summary>
    public Task<float[]> Task => _completion.Task;

    /// <summary>True once completed in any way, e.g. cancelled while it waited.</summary>
    public bool IsCompleted => _completion.Task.IsCompleted;

    public void Complete(float[] logits)
    {
        _completion.TrySetResult(logits);
        _cancellation.Dispose();
    }

    public void Fail(Exception error)
    {
        _completion.TrySetException(error);
        _cancellation.Dispose();
    }

    /// <summary>Lets go of the cancellation registration of a request that was cancelled before its batch.</summary>
    public void Release() => _cancellation.Dispose();
}
