using System.Globalization;

namespace FedDistill.Serving.Batching;

/// <summary>
/// How <see cref="DynamicBatcher"/> gathers requests into batches; bound from
/// <c>FedDistill:Serving:Batching</c> (or set by <c>feddistill serve --max-batch --max-wait-ms</c>).
/// </summary>
/// <remarks>
/// A batch runs as soon as it holds <see cref="MaxBatchSize"/> examples, or when its oldest request
/// has waited <see cref="MaxWait"/>, whichever comes first: a lone request is delayed by at most
/// <see cref="MaxWait"/> (plus the batch in progress), and under load batches fill up without waiting.
/// </remarks>
public sealed record BatchingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "FedDistill:Serving:Batching";

    /// <summary>The largest <see cref="MaxBatchSize"/> accepted.</summary>
    public const int MaxBatchSizeLimit = 4096;

    /// <summary>The largest <see cref="QueueCapacity"/> accepted.</summary>
    public const int QueueCapacityLimit = 1_000_000;

    /// <summary>The longest <see cref="MaxWait"/> accepted: a longer one is almost certainly a unit mistake.</summary>
    public static TimeSpan MaxWaitLimit { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Most examples in one batch, in [1, 4096]; a request never holds more (it would never fit).</summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>
    /// How long the oldest request of a batch may wait for company before the batch runs anyway,
    /// in [0, 1 s]; zero runs whatever has arrived without waiting.
    /// </summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Most requests waiting for a batch, in [1, 1,000,000]; one more is refused at once as
    /// overloaded (<see cref="BatcherOverloadedException"/>, HTTP 503) rather than queued
    /// behind a backlog it could only make worse.
    /// </summary>
    public int QueueCapacity { get; init; } = 1024;

    /// <summary>Every problem, each naming its setting (<c>BatchingOptions.MaxBatchSize</c>, …); empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxBatchSize is < 1 or > MaxBatchSizeLimit)
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"BatchingOptions.MaxBatchSize is {MaxBatchSize}; it must be in [1, {MaxBatchSizeLimit}]."));
        if (MaxWait < TimeSpan.Zero || MaxWait > MaxWaitLimit)
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"BatchingOptions.MaxWait is {MaxWait.TotalMilliseconds} ms; it must be in [0, {MaxWaitLimit.TotalMilliseconds}] ms."));
        if (QueueCapacity is < 1 or > QueueCapacityLimit)
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"BatchingOptions.QueueCapacity is {QueueCapacity}; it must be in [1, {QueueCapacityLimit}]."));
        return errors;
    }
}
