using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Aggregator;

/// <summary>A round's streaming ensemble: uploads are folded in order, off the caller, and read only once drained.</summary>
public sealed class RoundEnsembleTests
{
    private const int Examples = 40;
    private const int Classes = 3;

    /// <summary>Every queued upload is in the ensemble once it is drained: the mean of the teachers' logits, each teacher summarized once.</summary>
    [Fact]
    public async Task Drained_it_holds_every_queued_upload()
    {
        await using var ensemble = new RoundEnsemble(new RoundSettings { Strategy = "mean-logits" }, Examples, Classes, []);
        for (var i = 1; i <= 20; i++) ensemble.Enqueue(Upload($"hospital-{i}", value: i));

        await ensemble.DrainAsync();

        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"hospital-{i}"), ensemble.Teachers.Select(t => t.ParticipantId));
        using var combined = ensemble.Accumulator.Finish();
        Assert.All(combined.data<float>().ToArray(), value => Assert.Equal(10.5f, value, 1e-4f));
    }

    /// <summary>
    /// An upload the strategy cannot take (here per-class weights for too few classes) fails the
    /// drain with the strategy's reason, and the uploads queued after it are not folded into a
    /// broken accumulator.
    /// </summary>
    [Fact]
    public async Task A_fold_that_fails_fails_the_drain_and_stops_the_folds_after_it()
    {
        await using var ensemble = new RoundEnsemble(new RoundSettings { Strategy = "per-class-weighted" }, Examples, Classes, []);
        ensemble.Enqueue(Upload("hospital-1", value: 1));
        ensemble.Enqueue(Upload("hospital-2", value: 2, classCounts: [5, 5]));
        ensemble.Enqueue(Upload("hospital-3", value: 3));

        var error = await Assert.ThrowsAsync<ArgumentException>(ensemble.DrainAsync);

        Assert.Contains("per-class weights", error.Message);
        Assert.Equal(["hospital-1"], ensemble.Teachers.Select(t => t.ParticipantId));
    }

    private static DecodedUpload Upload(string participant, float value, int[]? classCounts = null)
    {
        var report = new TeacherReport("mlp", "mlp", 1, 30, classCounts ?? [10, 10, 10]);
        return new DecodedUpload(1, participant, new UploadMetadata("float32", [report], 0.1),
            [new DecodedTeacherLogits(report, Enumerable.Repeat(value, Examples * Classes).ToArray())]);
    }
}
