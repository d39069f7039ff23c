using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static TorchSharp.torch;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

public sealed class DsFlStrategyTests
{
    [Fact]
    public void Entropy_reduction_aggregation_is_the_softmax_of_the_mean_probabilities_over_the_sharpening_temperature()
    {
        using var scope = torch.NewDisposeScope();
        var first = LogitsOf([0.7, 0.2, 0.1]);
        var second = LogitsOf([0.3, 0.5, 0.2]);

        var ensemble = Ensemble(new DsFlStrategy(sharpeningTemperature: 0.1), Teacher("a", first), Teacher("b", second));

        // Mean probabilities (0.5, 0.35, 0.15), divided by 0.1.
        AssertClose([Softmax([5.0, 3.5, 1.5])], Distribution(ensemble));
    }

    [Fact]
    public void When_teachers_broadly_agree_the_target_has_lower_entropy_than_the_mean_and_the_same_ranking()
    {
        using var scope = torch.NewDisposeScope();
        // Five noisy teachers that share a favourite class per example, as trained teachers on a common task do.
        var teachers = Enumerable.Range(0, 5).Select(k => Teacher($"t{k}", AgreeingLogits(16, 10, seed: 100 + k))).ToArray();

        var sharpened = Distribution(Ensemble(new DsFlStrategy(), teachers));
        var mean = Distribution(Ensemble(new MeanProbabilitiesStrategy(), teachers));

        for (var n = 0; n < mean.Length; n++)
        {
            Assert.True(Entropy(sharpened[n]) < Entropy(mean[n]), $"example {n}: {Entropy(sharpened[n]):F4} ≥ {Entropy(mean[n]):F4}");
            Assert.Equal(ArgMax(mean[n]), ArgMax(sharpened[n]));
        }
    }

    [Fact]
    public void On_a_flat_average_over_many_classes_the_sharpening_lifts_the_tail()
    {
        using var scope = torch.NewDisposeScope();
        // Two classes at 0.3 and forty at 0.01: softmax(p / 0.1) has logits 3, 3 and forty 0.1,
        // so the tail's share grows from 0.4 to 40 e^0.1 / (2 e^3 + 40 e^0.1) ≈ 0.52. ERA as the paper defines it
        // sharpens only where the mean probabilities differ by more than T_s times their log-ratio.
        var flat = new[] { 0.3, 0.3 }.Concat(Enumerable.Repeat(0.01, 40)).ToArray();

        var sharpened = Distribution(Ensemble(new DsFlStrategy(), Teacher("only", LogitsOf(flat))))[0];

        var tail = 40 * Math.Exp(0.1) / (2 * Math.Exp(3) + 40 * Math.Exp(0.1));
        Assert.Equal(tail, sharpened.Skip(2).Sum(), 1e-4);
        Assert.True(Entropy(sharpened) > Entropy(flat));
    }

    private static Tensor AgreeingLogits(int examples, int classes, int seed)
    {
        var noise = Rows(RandomLogits(examples, classes, seed));
        for (var n = 0; n < examples; n++) noise[n][n % classes] += 5.0;
        return Matrix(noise);
    }

    [Fact]
    public void A_loss_at_the_ensemble_temperature_recovers_the_sharpened_distribution()
    {
        using var scope = torch.NewDisposeScope();
        double[] first = [2, 0, -1];
        double[] second = [0, 1, 0];

        var ensemble = Ensemble(new DsFlStrategy(temperature: 3.0, sharpeningTemperature: 0.2), Teacher("a", Matrix(first)), Teacher("b", Matrix(second)));

        var mean = Softmax(first, 3.0).Zip(Softmax(second, 3.0), (p, q) => (p + q) / 2).ToArray();
        AssertClose([Softmax(mean.Select(p => p / 0.2).ToArray())], Distribution(ensemble, 3.0));
    }
}
