using FedDistill.Grains.Aggregator;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace FedDistill.Grains.Tests.Aggregator;

/// <summary>How a round's uploads reach storage: several to a write once enough writes are in flight, each durable before it is acknowledged.</summary>
public sealed class UploadWriterTests
{
    private const int Round = 7;
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    /// <summary>
    /// While <see cref="UploadWriter.MaxWritesInFlight"/> writes run, the uploads that arrive wait
    /// and go together in one write, named after the first of them, as soon as a write ends.
    /// </summary>
    [Fact]
    public Task Uploads_that_arrive_while_every_write_runs_go_together_in_the_next() => OnOneThread(async () =>
    {
        var storage = new HeldStorage();
        var writer = new UploadWriter(storage.WriteAsync, Serializer, Round);

        var first = Enumerable.Range(1, UploadWriter.MaxWritesInFlight).Select(i => writer.StoreAsync($"hospital-{i}", Payload(i))).ToList();
        var waiting = Enumerable.Range(11, 3).Select(i => writer.StoreAsync($"hospital-{i}", Payload(i))).ToList();

        Assert.Equal(Enumerable.Range(1, UploadWriter.MaxWritesInFlight).Select(i => $"uploads/{Round}/hospital-{i}"), storage.Started);
        Assert.All(first.Concat(waiting), task => Assert.False(task.IsCompleted));

        storage.Release($"uploads/{Round}/hospital-2");
        Assert.Equal($"uploads/{Round}/hospital-2", await first[1]);
        await storage.WaitForStartsAsync(UploadWriter.MaxWritesInFlight + 1);
        Assert.Equal($"uploads/{Round}/hospital-11", storage.Started[^1]);
        Assert.All(waiting, task => Assert.False(task.IsCompleted));

        storage.ReleaseAll();
        Assert.All(await Task.WhenAll(waiting), name => Assert.Equal($"uploads/{Round}/hospital-11", name));
        var stored = UploadWriter.Read(Serializer, storage.Stored[$"uploads/{Round}/hospital-11"]);
        Assert.Equal(["hospital-11", "hospital-12", "hospital-13"], stored.Uploads.Select(u => u.ParticipantId));
        Assert.Equal(Payload(12), stored.Find("hospital-12"));
        Assert.Null(stored.Find("hospital-1"));
        Assert.Equal(UploadWriter.MaxWritesInFlight + 1, storage.Started.Count);
    });

    /// <summary>A write that fails fails only the uploads it carried; the next upload is written and acknowledged.</summary>
    [Fact]
    public Task A_failed_write_fails_its_own_uploads_only() => OnOneThread(async () =>
    {
        var storage = new HeldStorage();
        var writer = new UploadWriter(storage.WriteAsync, Serializer, Round);
        var failing = writer.StoreAsync("hospital-1", Payload(1));
        var other = writer.StoreAsync("hospital-2", Payload(2));

        storage.Fail($"uploads/{Round}/hospital-1", new IOException("storage unavailable"));
        var error = await Assert.ThrowsAsync<IOException>(() => failing);
        Assert.Equal("storage unavailable", error.Message);

        var next = writer.StoreAsync("hospital-3", Payload(3));
        storage.ReleaseAll();
        Assert.Equal($"uploads/{Round}/hospital-2", await other);
        Assert.Equal($"uploads/{Round}/hospital-3", await next);
        Assert.DoesNotContain($"uploads/{Round}/hospital-1", storage.Stored.Keys);
    });

    /// <summary>A write carries at most <see cref="UploadWriter.MaxBatchBytes"/> of payloads: the waiting uploads beyond that go in a write of their own.</summary>
    [Fact]
    public Task Waiting_uploads_beyond_a_writes_size_limit_go_in_another_write() => OnOneThread(async () =>
    {
        var storage = new HeldStorage();
        var writer = new UploadWriter(storage.WriteAsync, Serializer, Round);
        var running = Enumerable.Range(1, UploadWriter.MaxWritesInFlight).Select(i => writer.StoreAsync($"hospital-{i}", Payload(i))).ToList();
        var third = (int)(UploadWriter.MaxBatchBytes / 3) + 1;
        var large = Enumerable.Range(11, 3).Select(i => writer.StoreAsync($"hospital-{i}", new byte[third])).ToList();

        storage.ReleaseAll();
        await Task.WhenAll(running.Concat(large));

        Assert.Equal(
            [$"uploads/{Round}/hospital-11", $"uploads/{Round}/hospital-11", $"uploads/{Round}/hospital-13"],
            await Task.WhenAll(large));
        Assert.Equal(2, UploadWriter.Read(Serializer, storage.Stored[$"uploads/{Round}/hospital-11"]).Uploads.Count);
    });

    // The writer is called from a grain's turn only: the tests run on one scheduler that runs one task at a time, as a grain's does.
    private static Task OnOneThread(Func<Task> test) =>
        Task.Factory.StartNew(test, CancellationToken.None, TaskCreationOptions.None, new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler).Unwrap();

    private static byte[] Payload(int seed)
    {
        var bytes = new byte[64];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // Storage whose writes wait until the test releases (or fails) them; a write started after ReleaseAll ends at once.
    private sealed class HeldStorage
    {
        private readonly Dictionary<string, TaskCompletionSource> _pending = [];
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Started { get; } = [];

        public Dictionary<string, byte[]> Stored { get; } = [];

        public async Task WriteAsync(string name, byte[] bytes)
        {
            var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_pending)
            {
                Started.Add(name);
                _pending[name] = held;
                _started.TrySetResult();
            }

            await Task.WhenAny(held.Task, _released.Task);
            await (held.Task.IsCompleted ? held.Task : Task.CompletedTask);
            lock (_pending) Stored[name] = bytes;
        }

        public void Release(string name)
        {
            lock (_pending) _pending[name].TrySetResult();
        }

        public void Fail(string name, Exception error)
        {
            lock (_pending) _pending[name].TrySetException(error);
        }

        public void ReleaseAll() => _released.TrySetResult();

        public async Task WaitForStartsAsync(int count)
        {
            while (true)
            {
                Task started;
                lock (_pending)
                {
                    if (Started.Count >= count) return;
                    started = _started.Task;
                    _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                await started.WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
    }
}
