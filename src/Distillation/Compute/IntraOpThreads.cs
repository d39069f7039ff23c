using TorchSharp;
using TorchSharp.Modules;

namespace FedDistill.Distillation.Compute;

/// <summary>
/// How many intra-op threads libtorch should use for a model on the CPU: one for dense models
/// (MLPs), every core for convolutional ones.
/// </summary>
/// <remarks>
/// <para>Measured with <c>./run bench</c> (docs/benchmarks.md, "Intra-op threads per workload"):
/// a dense model's training step is dozens of short, memory-bound operations (backward, the
/// optimizer's per-parameter updates), too small to pay for waking a second OpenMP thread each
/// time, and on a busy machine a second thread that has to wait for a core makes every operation
/// wait for it (2 to 50 times slower on 2 shared cores); convolutions have enough work per call
/// to gain from more threads when the cores are free. Dense inference on large batches can gain
/// too on idle cores, but loses badly on busy ones, so 1 is the default there as well.</para>
/// <para>libtorch's OpenMP backend keeps the count per OS thread: <c>torch.set_num_threads</c>
/// sets it for the calling thread (and as the default for threads that have not run a parallel
/// operation yet), never for threads that already have. So apply the count on the thread that
/// does the work, right before it (<see cref="Use(int)"/>), and not across an <c>await</c>.</para>
/// </remarks>
public static class IntraOpThreads
{
    /// <summary>The count for <paramref name="model"/>: 1 without convolutions, else <paramref name="available"/> (default: every core).</summary>
    public static int For(torch.nn.Module model, int? available = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var cores = Math.Max(1, available ?? Environment.ProcessorCount);
        return IsConvolutional(model) ? cores : 1;
    }

    /// <summary>True when <paramref name="model"/> or one of its submodules is a convolution.</summary>
    public static bool IsConvolutional(torch.nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model is Convolution || model.modules().Any(module => module is Convolution);
    }

    /// <summary>
    /// Sets the calling thread's intra-op thread count until the result is disposed, which
    /// restores the previous count. Dispose it on the same thread.
    /// </summary>
    public static IDisposable Use(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var previous = torch.get_num_threads();
        if (previous != threads) torch.set_num_threads(threads);
        return new Restore(previous, threads);
    }

    /// <summary><see cref="Use(int)"/> with <see cref="For"/>'s count for <paramref name="model"/>.</summary>
    public static IDisposable Use(torch.nn.Module model, int? available = null) => Use(For(model, available));

    private sealed class Restore(int previous, int current) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            if (previous != current) torch.set_num_threads(previous);
        }
    }
}
