namespace FedDistill.Torch.Tests.Runtime;

[Collection(GlobalTorchStateCollection.Name)]
public sealed class TorchSettingsTests
{
    [Fact]
    public void Threads_reads_back_the_count_it_was_set_to()
    {
        var original = Torch.Threads;
        try
        {
            Torch.Threads = 2;
            Assert.Equal(2, Torch.Threads);
            Torch.Threads = 1;
            Assert.Equal(1, Torch.Threads);
        }
        finally
        {
            Torch.Threads = original;
        }
    }

    [Fact]
    public void Threads_below_one_is_rejected_and_the_count_is_unchanged()
    {
        var original = Torch.Threads;
        Assert.Throws<ArgumentOutOfRangeException>(() => Torch.Threads = 0);
        Assert.Equal(original, Torch.Threads);
    }

    [Fact]
    public void Threads_set_on_one_thread_applies_on_a_thread_that_already_ran_libtorch_work()
    {
        // Torch.Threads is documented as process-wide. With libtorch's OpenMP backend,
        // at::set_num_threads calls omp_set_num_threads, which changes only the calling thread's
        // setting; threads that ran libtorch work before keep their old count.
        var original = Torch.Threads;
        var target = original == 1 ? 2 : 1;
        using var warmedUp = new ManualResetEventSlim();
        using var changed = new ManualResetEventSlim();
        var seenByWorker = 0;
        var worker = new Thread(() =>
        {
            // Element-wise work large enough to go through at::parallel_for, as a training step does.
            using (var warmUp = Tensor.Ones([1 << 16]))
            using (var exp = warmUp.Exp()) { }
            warmedUp.Set();
            changed.Wait();
            seenByWorker = Torch.Threads;
        });
        try
        {
            worker.Start();
            warmedUp.Wait();
            Torch.Threads = target;
            changed.Set();
            worker.Join();
            Assert.Equal(target, seenByWorker);
        }
        finally
        {
            changed.Set();
            worker.Join();
            Torch.Threads = original;
        }
    }

    [Fact]
    public void ManualSeed_makes_random_factories_reproducible()
    {
        Torch.ManualSeed(42);
        using var normal1 = Tensor.Randn([16]);
        using var uniform1 = Tensor.Uniform([16], -1, 1);
        using var integers1 = Tensor.RandInt(0, 1000, [16]);
        Torch.ManualSeed(42);
        using var normal2 = Tensor.Randn([16]);
        using var uniform2 = Tensor.Uniform([16], -1, 1);
        using var integers2 = Tensor.RandInt(0, 1000, [16]);
        Torch.ManualSeed(43);
        using var normal3 = Tensor.Randn([16]);

        Assert.Equal(normal1.ToArray<float>(), normal2.ToArray<float>());
        Assert.Equal(uniform1.ToArray<float>(), uniform2.ToArray<float>());
        Assert.Equal(integers1.ToArray<long>(), integers2.ToArray<long>());
        Assert.NotEqual(normal1.ToArray<float>(), normal3.ToArray<float>());
    }

    [Fact]
    public void Randn_has_roughly_zero_mean_and_unit_variance()
    {
        Torch.ManualSeed(7);
        using var samples = Tensor.Randn([100_000]);
        using var mean = samples.Mean();
        using var variance = samples.Var([]);
        // Standard errors: 1/√n ≈ 0.003 for the mean, √(2/n) ≈ 0.0045 for the variance.
        Assert.InRange(mean.Item(), -0.015, 0.015);
        Assert.InRange(variance.Item(), 0.98, 1.02);
    }

    [Fact]
    public void Version_names_the_libtorch_release()
    {
        Assert.Matches(@"^\d+\.\d+", Torch.Version);
    }
}
