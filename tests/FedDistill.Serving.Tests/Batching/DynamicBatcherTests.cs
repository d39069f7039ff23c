using FedDistill.Serving.Batching;
using FedDistill.Serving.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FedDistill.Serving.Tests.Batching;

/// <summary>
/// <see cref="DynamicBatcher"/>: concurrent requests share batches, each gets its own logits, a batch
/// never exceeds MaxBatchSize and runs once full or once its oldest request waited MaxWait, a full
/// queue refuses at once, and cancellation and model failures touch only the requests concerned.
/// </summary>
public sealed class DynamicBatcherTests
{
    // Upper bound for anything that should happen "now"; far above any real delay, so never flaky.
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);

    // How long to look for something that must not happen; a bug shows up here, a pass never depends on speed.
    private static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(100);

    /// <summary>32 requests sent at once to a slow model run in fewer than 32 batches, and each answer is its own input's.</summary>
    [Fact]
    public async Task Concurrent_requests_share_batches_and_each_gets_the_logits_of_its_own_example()
    {
        var model = new FakeStudentModel(delay: TimeSpan.FromMilliseconds(20));
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchSize = 64, MaxWait = TimeSpan.FromMilliseconds(2) });

        var requests = Enumerable.Range(0, 32).Select(i => Task.Run(() => batcher.PredictAsync(Examples.Of(i)))).ToArray();
        var answers = await Task.WhenAll(requests).WaitAsync(Soon);

        for (var i = 0; i < answers.Length; i++) Assert.Equal(FakeStudentModel.Expected(Examples.Of(i)), answers[i]);
        Assert.True(model.BatchSizes.Count < 32, $"batches: {string.Join(", ", model.BatchSizes)}");
        Assert.Equal(32, model.BatchSizes.Sum());
    }

    /// <summary>Requests that arrive while a batch runs wait together and run as one batch after it.</summary>
    [Fact]
    public async Task Requests_queued_behind_a_running_batch_run_together_in_the_next_one()
    {
        var model = new FakeStudentModel(held: true);
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchSize = 64, MaxWait = TimeSpan.Zero });
        var first = batcher.PredictAsync(Examples.Of(0));
        await model.WaitForBatchAsync();

        var queued = Enumerable.Range(1, 31).Select(i => batcher.PredictAsync(Examples.Of(i))).ToArray();
        model.Release();
        var answers = await Task.WhenAll(queued.Prepend(first)).WaitAsync(Soon);

        Assert.Equal([1, 31], model.BatchSizes);
        for (var i = 0; i < answers.Length; i++) Assert.Equal(FakeStudentModel.Expected(Examples.Of(i)), answers[i]);
    }

    /// <summary>
    /// With a MaxWait that never passes (the clock is fake and stands still), full batches of MaxBatchSize
    /// run at once, and the remainder waits for the clock.
    /// </summary>
    [Fact]
    public async Task A_full_batch_runs_at_once_and_a_partial_one_waits_for_MaxWait()
    {
        var clock = new FakeTimeProvider();
        var model = new FakeStudentModel();
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchSize = 4, MaxWait = TimeSpan.FromSeconds(1) }, time: clock);

        var requests = Enumerable.Range(0, 9).Select(i => batcher.PredictAsync(Examples.Of(i))).ToArray();
        await Task.WhenAll(requests.Take(8)).WaitAsync(Soon);
        await Task.Delay(Moment);
        Assert.False(requests[8].IsCompleted, "the ninth request ran without waiting for company");

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(FakeStudentModel.Expected(Examples.Of(8)), await requests[8].WaitAsync(Soon));
        Assert.Equal([4, 4, 1], model.BatchSizes);
    }

    /// <summary>A lone request runs after MaxWait of the batcher's clock, not before, and alone.</summary>
    [Fact]
    public async Task A_lone_request_waits_MaxWait_for_company_then_runs_alone()
    {
        var clock = new FakeTimeProvider();
        var model = new FakeStudentModel();
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchSize = 64, MaxWait = TimeSpan.FromMilliseconds(2) }, time: clock);

        var request = batcher.PredictAsync(Examples.Of(5));
        await Task.Delay(Moment);
        Assert.False(request.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Task.Delay(Moment);
        Assert.False(request.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(FakeStudentModel.Expected(Examples.Of(5)), await request.WaitAsync(Soon));
        Assert.Equal([1], model.BatchSizes);
    }

    /// <summary>A request's examples run in one batch; one that would overflow the batch being gathered opens the next.</summary>
    [Fact]
    public async Task Requests_with_several_examples_stay_together_within_MaxBatchSize()
    {
        var model = new FakeStudentModel(held: true);
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchSize = 4, MaxWait = TimeSpan.Zero });
        var first = batcher.PredictAsync(Examples.Many(0, 1));
        await model.WaitForBatchAsync();

        var three = batcher.PredictAsync(Examples.Many(1, 3));
        var two = batcher.PredictAsync(Examples.Many(4, 2));
        var one = batcher.PredictAsync(Examples.Many(6, 1));
        var another = batcher.PredictAsync(Examples.Many(7, 1));
        model.Release();
        await Task.WhenAll(first, three, two, one, another).WaitAsync(Soon);

        Assert.Equal([1, 3, 4], model.BatchSizes);
        Assert.Equal(Examples.ExpectedLogits(1, 3), await three);
        Assert.Equal(Examples.ExpectedLogits(4, 2), await two);
        Assert.Equal(Examples.ExpectedLogits(6, 1), await one);
        Assert.Equal(Examples.ExpectedLogits(7, 1), await another);
    }

    /// <summary>With QueueCapacity requests waiting, one more is refused at once; once the queue drains, requests are taken again.</summary>
    [Fact]
    public async Task A_full_queue_refuses_the_next_request_at_once_as_overloaded()
    {
        var model = new FakeStudentModel(held: true);
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchSize = 1, MaxWait = TimeSpan.Zero, QueueCapacity = 2 });
        var running = batcher.PredictAsync(Examples.Of(0));
        await model.WaitForBatchAsync();
        var waiting = new[] { batcher.PredictAsync(Examples.Of(1)), batcher.PredictAsync(Examples.Of(2)) };
        Assert.Equal(2, batcher.QueueDepth);

        var refused = batcher.PredictAsync(Examples.Of(3));

        Assert.True(refused.IsFaulted);
        var error = await Assert.ThrowsAsync<BatcherOverloadedException>(() => refused);
        Assert.Equal(2, error.QueueCapacity);
        Assert.Contains("BatchingOptions.QueueCapacity", error.Message, StringComparison.Ordinal);
        model.Release();
        await Task.WhenAll(waiting.Prepend(running)).WaitAsync(Soon);
        Assert.Equal(FakeStudentModel.Expected(Examples.Of(4)), await batcher.PredictAsync(Examples.Of(4)).WaitAsync(Soon));
        Assert.DoesNotContain(model.Batches, batch => batch[0] == 3);
    }

    /// <summary>A request cancelled while it waits completes as cancelled at once and never reaches the model; the others are answered.</summary>
    [Fact]
    public async Task A_request_cancelled_while_it_waits_is_dropped_and_the_others_are_answered()
    {
        var model = new FakeStudentModel(held: true);
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchSize = 8, MaxWait = TimeSpan.Zero });
        var running = batcher.PredictAsync(Examples.Of(0));
        await model.WaitForBatchAsync();
        using var cancellation = new CancellationTokenSource();
        var cancelled = batcher.PredictAsync(Examples.Of(1), cancellation.Token);
        var kept = batcher.PredictAsync(Examples.Of(2));

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Soon));
        model.Release();
        Assert.Equal(FakeStudentModel.Expected(Examples.Of(2)), await kept.WaitAsync(Soon));
        await running.WaitAsync(Soon);
        Assert.Equal([1, 1], model.BatchSizes);
        Assert.DoesNotContain(model.Batches, batch => batch.Contains(Examples.Of(1)[1]));
    }

    /// <summary>A request cancelled while its batch runs completes as cancelled without waiting for the batch, which goes on for the others.</summary>
    [Fact]
    public async Task A_request_cancelled_while_its_batch_runs_completes_as_cancelled_at_once()
    {
        var model = new FakeStudentModel(held: true);
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchSize = 8, MaxWait = TimeSpan.Zero });
        using var cancellation = new CancellationTokenSource();
        var running = batcher.PredictAsync(Examples.Of(0), cancellation.Token);
        await model.WaitForBatchAsync();

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Soon));
        model.Release();
        Assert.Equal(FakeStudentModel.Expected(Examples.Of(1)), await batcher.PredictAsync(Examples.Of(1)).WaitAsync(Soon));
    }

    /// <summary>A token cancelled before the call gives a cancelled task and queues nothing.</summary>
    [Fact]
    public async Task A_request_with_a_cancelled_token_is_never_queued()
    {
        var model = new FakeStudentModel();
        await using var batcher = new DynamicBatcher(model, new BatchingOptions());

        var request = batcher.PredictAsync(Examples.Of(0), new CancellationToken(canceled: true));

        Assert.True(request.IsCanceled);
        await Task.Delay(Moment);
        Assert.Empty(model.Batches);
    }

    /// <summary>When the model throws, every request of that batch fails with its exception, and the next batch runs.</summary>
    [Fact]
    public async Task A_model_failure_fails_its_batch_only()
    {
        var model = new FakeStudentModel(held: true);
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchSize = 8, MaxWait = TimeSpan.Zero });
        var running = batcher.PredictAsync(Examples.Of(0));
        await model.WaitForBatchAsync();
        var poisoned = batcher.PredictAsync(new float[] { FakeStudentModel.Poison, 0, 0, 0 });
        var neighbour = batcher.PredictAsync(Examples.Of(1));

        model.Release();

        await running.WaitAsync(Soon);
        await Assert.ThrowsAsync<InvalidOperationException>(() => poisoned.WaitAsync(Soon));
        await Assert.ThrowsAsync<InvalidOperationException>(() => neighbour.WaitAsync(Soon));
        Assert.Equal(FakeStudentModel.Expected(Examples.Of(2)), await batcher.PredictAsync(Examples.Of(2)).WaitAsync(Soon));
    }

    /// <summary>Disposing answers what was queued, then refuses new requests.</summary>
    [Fact]
    public async Task Dispose_answers_queued_requests_then_refuses_new_ones()
    {
        var model = new FakeStudentModel(held: true);
        var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchSize = 2, MaxWait = TimeSpan.Zero });
        var requests = Enumerable.Range(0, 5).Select(i => batcher.PredictAsync(Examples.Of(i))).ToArray();
        await model.WaitForBatchAsync();

        var disposing = batcher.DisposeAsync().AsTask();
        model.Release();
        await disposing.WaitAsync(Soon);

        for (var i = 0; i < requests.Length; i++) Assert.Equal(FakeStudentModel.Expected(Examples.Of(i)), await requests[i]);
        Assert.Throws<ObjectDisposedException>(() => { _ = batcher.PredictAsync(Examples.Of(9)); });
    }

    /// <summary>Inputs that are not whole examples, or more than a batch, are the caller's bug: an ArgumentException at once.</summary>
    [Fact]
    public async Task Inputs_that_are_not_whole_examples_or_exceed_a_batch_are_refused_at_once()
    {
        await using var batcher = new DynamicBatcher(new FakeStudentModel(), new BatchingOptions { MaxBatchSize = 2 });

        Assert.Throws<ArgumentException>(() => { _ = batcher.PredictAsync(new float[5]); });
        Assert.Throws<ArgumentException>(() => { _ = batcher.PredictAsync(ReadOnlyMemory<float>.Empty); });
        Assert.Throws<ArgumentException>(() => { _ = batcher.PredictAsync(Examples.Many(0, 3)); });
    }

    /// <summary>Bad options fail at construction with every problem, each naming its setting.</summary>
    [Fact]
    public void Invalid_options_fail_at_start_naming_each_setting()
    {
        var options = new BatchingOptions { MaxBatchSize = 0, MaxWait = TimeSpan.FromSeconds(5), QueueCapacity = 0 };

        var error = Assert.Throws<OptionsValidationException>(() => new DynamicBatcher(new FakeStudentModel(), options));

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, failure => failure.StartsWith("BatchingOptions.MaxBatchSize is 0", StringComparison.Ordinal));
        Assert.Contains(error.Failures, failure => failure.StartsWith("BatchingOptions.MaxWait is 5000 ms", StringComparison.Ordinal));
        Assert.Contains(error.Failures, failure => failure.StartsWith("BatchingOptions.QueueCapacity is 0", StringComparison.Ordinal));
        Assert.Empty(new BatchingOptions().Validate());
        Assert.Single(new BatchingOptions { MaxWait = TimeSpan.FromMilliseconds(-1) }.Validate());
    }
}
