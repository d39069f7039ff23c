using System.Diagnostics;
using FedDistill.Serving;

namespace FedDistill.Bench;

/// <summary>
/// An <see cref="IStudentModel"/> that passes every batch to the student it wraps and counts the
/// batches, their examples and the time the student spent on them: where a serving run's time
/// goes. Thread-safe for the batcher's single caller; the counters are read between runs.
/// </summary>
/// <param name="inner">The student; not owned.</param>
public sealed class TimedStudentModel(IStudentModel inner) : IStudentModel
{
    private long _batches;
    private long _examples;
    private long _ticks;

    /// <inheritdoc />
    public long[] ExampleShape => inner.ExampleShape;

    /// <inheritdoc />
    public int Classes => inner.Classes;

    /// <summary>Batches run since the last <see cref="Reset"/>.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Examples run since the last <see cref="Reset"/>.</summary>
    public long Examples => Interlocked.Read(ref _examples);

    /// <summary>The student's time on those batches.</summary>
    public TimeSpan Busy => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    /// <inheritdoc />
    public float[] Predict(float[] batch, int batchSize)
    {
        var started = Stopwatch.GetTimestamp();
        var logits = inner.Predict(batch, batchSize);
        Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _examples, batchSize);
        return logits;
    }

    /// <summary>Sets the counters to zero (after a warm-up).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _batches, 0);
        Interlocked.Exchange(ref _examples, 0);
        Interlocked.Exchange(ref _ticks, 0);
    }
}
