using System.Collections.Concurrent;
using FedDistill.Serving;

namespace FedDistill.Serving.Tests.Support;

/// <summary>
/// A student whose logits are easy to check by hand: examples of 4 values x, 3 classes, logit c =
/// 2·x[c] + x[3]. It records every batch, can be slow, can be held inside a batch until the test
/// lets it go, and throws on an example whose first value is <see cref="Poison"/>.
/// </summary>
public sealed class FakeStudentModel : IStudentModel
{
    /// <summary>An example starting with this value makes its batch fail.</summary>
    public const float Poison = -999;

    private readonly ConcurrentQueue<float[]> _batches = new();
    private readonly SemaphoreSlim _entered = new(0);
    private readonly ManualResetEventSlim _open;

    /// <param name="delay">How long each batch takes.</param>
    /// <param name="held">When true, each batch waits inside <see cref="Predict"/> until <see cref="Release"/>.</param>
    public FakeStudentModel(TimeSpan delay = default, bool held = false)
    {
        Delay = delay;
        _open = new ManualResetEventSlim(!held);
    }

    public long[] ExampleShape { get; } = [4];

    public int Classes => 3;

    public TimeSpan Delay { get; }

    /// <summary>The examples of each batch, in order, as the model saw them.</summary>
    public IReadOnlyList<float[]> Batches => [.. _batches];

    /// <summary>The number of examples of each batch, in order.</summary>
    public IReadOnlyList<int> BatchSizes => _batches.ToArray().Select(batch => batch.Length / 4).ToList();

    public static float[] Expected(ReadOnlySpan<float> example) =>
        [2 * example[0] + example[3], 2 * example[1] + example[3], 2 * example[2] + example[3]];

    public float[] Predict(float[] batch, int batchSize)
    {
        if (batch.Length != batchSize * 4) throw new ArgumentException($"{batch.Length} values for {batchSize} examples.", nameof(batch));
        _batches.Enqueue([.. batch]);
        _entered.Release();
        if (!_open.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("The test never released the model.");
        if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
        var logits = new float[batchSize * 3];
        for (var i = 0; i < batchSize; i++)
        {
            if (batch[i * 4] == Poison) throw new InvalidOperationException("Poisoned example.");
            Expected(batch.AsSpan(i * 4, 4)).CopyTo(logits, i * 3);
        }
        return logits;
    }

    /// <summary>Waits until a batch has entered <see cref="Predict"/> (one per call).</summary>
    public async Task WaitForBatchAsync()
    {
        if (!await _entered.WaitAsync(TimeSpan.FromSeconds(30))) throw new TimeoutException("No batch reached the model.");
    }

    /// <summary>Lets held batches (and all later ones) through.</summary>
    public void Release() => _open.Set();
}
