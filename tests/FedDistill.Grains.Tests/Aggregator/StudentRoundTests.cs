using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Aggregator;

/// <summary>How a round keeps the student's per-epoch curve: every epoch while few, else an even spread that keeps the ends.</summary>
public sealed class StudentRoundTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void Up_to_the_limit_every_epoch_is_kept(int count)
    {
        var epochs = Epochs(count);
        Assert.Same(epochs, StudentRound.Thin(epochs, RoundResult.MaxStudentEpochs));
    }

    [Theory]
    [InlineData(101)]
    [InlineData(300)]
    [InlineData(1000)]
    public void Beyond_the_limit_an_even_spread_keeps_the_first_and_the_last(int count)
    {
        var thinned = StudentRound.Thin(Epochs(count), RoundResult.MaxStudentEpochs);

        Assert.Equal(RoundResult.MaxStudentEpochs, thinned.Count);
        Assert.Equal(1, thinned[0].Epoch);
        Assert.Equal(count, thinned[^1].Epoch);
        var gaps = thinned.Zip(thinned.Skip(1), (a, b) => b.Epoch - a.Epoch).ToList();
        Assert.All(gaps, gap => Assert.InRange(gap, 1, (int)Math.Ceiling((count - 1) / 99.0)));
    }

    private static List<StudentEpochMetrics> Epochs(int count) =>
        Enumerable.Range(1, count).Select(epoch => new StudentEpochMetrics(epoch, 1.0 / epoch, epoch / (double)count)).ToList();
}
