using System.Diagnostics;
using System.Threading.Channels;
using FedDistill.Serving.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FedDistill.Serving.Batching;

/// <summary>
/// Gathers concurrent prediction requests into batches for one <see cref="IStudentModel"/>: a batch
/// runs when it holds <see cref="BatchingOptions.MaxBatchSize"/> examples or when its oldest request
/// has waited <see cref="BatchingOptions.MaxWait"/>, whichever comes first, and each request gets
/// back the logits of its own examples.
/// </summary>
/// <remarks>
/// <para>Requests wait in a bounded channel (<see cref="BatchingOptions.QueueCapacity"/>); when it is
/// full a request is refused at once with <see cref="BatcherOverloadedException"/>. A single loop
/// reads the channel and runs one batch at a time, synchronously, so the model sees one caller and
/// a CPU-bound forward pass never competes with another. A request's examples stay together: one
/// that does not fit in the batch being gathered opens the next one.</para>
/// <para>A request cancelled while it waits is dropped from its batch; one cancelled while its batch
/// runs completes as cancelled at once (the batch runs on for the others). When the model throws,
/// every request of that batch fails with its exception and the loop goes on with the next batch.</para>
/// <para>Thread-safe. <see cref="DisposeAsync"/> stops taking requests and runs those already
/// queued before it returns. Does not own the model.</para>
/// </remarks>
public sealed partial class DynamicBatcher : IAsyncDisposable
{
    private readonly IStudentModel _model;
    private readonly ServingMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<PendingPrediction> _queue;
    private readonly Task _loop;
    private volatile bool _disposed;

    /// <summary>Checks the options and starts the batch loop.</summary>
    /// <param name="model">The student; not owned.</param>
    /// <param name="options">How to batch.</param>
    /// <param name="metrics">Where to record batch sizes, durations and the queue depth; null records nothing.</param>
    /// <param name="logger">Where model failures go; null logs nothing.</param>
    /// <param name="time">The clock of <see cref="BatchingOptions.MaxWait"/>; null is the system clock.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names each setting.</exception>
    /// <exception cref="ArgumentException">The model's <see cref="IStudentModel.ExampleShape"/> or <see cref="IStudentModel.Classes"/> is not positive.</exception>
    public DynamicBatcher(IStudentModel model, BatchingOptions options, ServingMetrics? metrics = null, ILogger<DynamicBatcher>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0) throw new OptionsValidationException(BatchingOptions.SectionName, typeof(BatchingOptions), errors);
        var shape = model.ExampleShape ?? throw new ArgumentException("The model has no example shape.", nameof(model));
        if (shape.Length == 0 || shape.Any(dimension => dimension < 1))
            throw new ArgumentException($"The model's example shape [{string.Join(", ", shape)}] must have at least one dimension, all positive.", nameof(model));
        if (model.Classes < 1) throw new ArgumentException($"The model has {model.Classes} classes; it must have at least 1.", nameof(model));
        var length = shape.Aggregate(1L, (product, dimension) => product * dimension);
        if (length * options.MaxBatchSize > Array.MaxLength)
            throw new ArgumentException($"A batch of {options.MaxBatchSize} examples of shape [{string.Join(", ", shape)}] would not fit in one array.", nameof(model));

        _model = model;
        Options = options;
        ExampleLength = (int)length;
        Classes = model.Classes;
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _queue = Channel.CreateBounded<PendingPrediction>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails when full: the refusal, never a silent drop.
        });
        metrics?.ObserveQueueDepth(() => QueueDepth);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The options in force.</summary>
    public BatchingOptions Options { get; }

    /// <summary>Values per example: the product of the model's <see cref="IStudentModel.ExampleShape"/>.</summary>
    public int ExampleLength { get; }

    /// <summary>Logits per example.</summary>
    public int Classes { get; }

    /// <summary>Requests waiting for a batch (not those in the batch being gathered or run).</summary>
    public int QueueDepth => _queue.Reader.Count;

    /// <summary>
    /// Queues <paramref name="examples"/> for the next batch with room for them and returns their
    /// logits once it has run.
    /// </summary>
    /// <param name="examples">
    /// One or more examples back to back, each <see cref="ExampleLength"/> values (flattened row-major),
    /// at most <see cref="BatchingOptions.MaxBatchSize"/> of them. Read when the batch is assembled:
    /// do not change them until the task completes.
    /// </param>
    /// <param name="cancellationToken">Cancels this request only: dropped if it is still waiting, abandoned if its batch is running.</param>
    /// <returns>
    /// Examples × <see cref="Classes"/> logits, example by example, owned by the caller. The task
    /// faults with <see cref="BatcherOverloadedException"/> when the queue is full, with the model's
    /// exception when its batch failed, and is cancelled when <paramref name="cancellationToken"/> is.
    /// </returns>
    /// <exception cref="ArgumentException">The examples are empty, not a whole number of examples, or more than a batch.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed.</exception>
    public Task<float[]> PredictAsync(ReadOnlyMemory<float> examples, CancellationToken cancellationToken = default)
    {
        if (examples.Length == 0 || examples.Length % ExampleLength != 0)
            throw new ArgumentException($"{examples.Length} values are not a whole, positive number of examples of {ExampleLength} values.", nameof(examples));
        var count = examples.Length / ExampleLength;
        if (count > Options.MaxBatchSize)
            throw new ArgumentException($"{count} examples are more than a batch (BatchingOptions.MaxBatchSize = {Options.MaxBatchSize}).", nameof(examples));
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<float[]>(cancellationToken);

        var request = new PendingPrediction(examples, count, _time.GetTimestamp(), cancellationToken);
        if (_queue.Writer.TryWrite(request)) return request.Task;
        request.Release();
        ObjectDisposedException.ThrowIf(_disposed, this);
        LogOverloaded(_logger, Options.QueueCapacity);
        return Task.FromException<float[]>(new BatcherOverloadedException(Options.QueueCapacity));
    }

    /// <summary>Stops taking requests, runs those already queued, and waits for the loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    // The loop: wait for a first request, gather until the batch is full or its oldest request has
    // waited MaxWait, run it, repeat. Ends when the channel is completed and drained.
    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingPrediction>(Options.MaxBatchSize);
        PendingPrediction? carried = null;
        while (carried is not null || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var examples = 0;
            if (carried is not null)
            {
                batch.Add(carried);
                examples = carried.Count;
                carried = null;
            }

            while (true)
            {
                while (examples < Options.MaxBatchSize && reader.TryRead(out var next))
                {
                    if (next.IsCompleted)
                    {
                        next.Release(); // cancelled while it waited
                    }
                    else if (examples + next.Count > Options.MaxBatchSize)
                    {
                        carried = next; // does not fit: it opens the next batch
                        break;
                    }
                    else
                    {
                        batch.Add(next);
                        examples += next.Count;
                    }
                }

                if (carried is not null || examples >= Options.MaxBatchSize || batch.Count == 0) break;
                // Requests are queued in arrival order, so the first of the batch is its oldest.
                var waited = _time.GetElapsedTime(batch[0].ArrivedAt);
                var remaining = Options.MaxWait - waited;
                if (remaining <= TimeSpan.Zero || !await WaitForMoreAsync(reader, remaining).ConfigureAwait(false)) break;
            }

            if (batch.Count > 0) RunBatch(batch);
        }
    }

    // True when more requests can be read before the deadline; false when the deadline passed or
    // the channel was completed. Waits without exceptions: a timeout is the common case under light load.
    private async Task<bool> WaitForMoreAsync(ChannelReader<PendingPrediction> reader, TimeSpan remaining)
    {
        using var deadline = new CancellationTokenSource(remaining, _time);
        var wait = reader.WaitToReadAsync(deadline.Token).AsTask();
        await ((Task)wait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return wait.IsCompletedSuccessfully && wait.Result;
    }

    private void RunBatch(List<PendingPrediction> gathered)
    {
        // Requests cancelled while the batch was gathered are not worth a forward pass.
        var batch = new List<PendingPrediction>(gathered.Count);
        foreach (var request in gathered)
        {
            if (request.IsCompleted) request.Release();
            else batch.Add(request);
        }
        if (batch.Count == 0) return;

        var examples = batch.Sum(request => request.Count);
        var input = new float[examples * ExampleLength];
        var offset = 0;
        foreach (var request in batch)
        {
            request.Examples.Span.CopyTo(input.AsSpan(offset));
            offset += request.Examples.Length;
        }

        var started = _time.GetTimestamp();
        float[] logits;
        try
        {
            logits = _model.Predict(input, examples);
            if (logits is null || logits.Length != examples * Classes)
                throw new InvalidOperationException($"The student returned {logits?.Length ?? 0} logits for {examples} examples; expected {examples * Classes} ({Classes} per example).");
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            LogBatchFailed(_logger, error, examples, batch.Count);
            foreach (var request in batch) request.Fail(error);
            return;
        }

        _metrics?.RecordBatch(examples, _time.GetElapsedTime(started));
        offset = 0;
        foreach (var request in batch)
        {
            var length = request.Count * Classes;
            request.Complete(logits.AsSpan(offset, length).ToArray());
            offset += length;
        }
        Debug.Assert(offset == logits.Length, "Every logit went to a request.");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "The student failed on a batch of {Examples} examples from {Requests} requests; they were answered with the error")]
    private static partial void LogBatchFailed(ILogger logger, Exception error, int examples, int requests);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Refused a request: {QueueCapacity} requests are already waiting for a batch")]
    private static partial void LogOverloaded(ILogger logger, int queueCapacity);
}
