using FedDistill.Distillation.Privacy;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// <c>pate-gnmax</c>: PATE's private aggregation (Papernot et al. 2018). Each teacher casts one
/// vote per public example for its argmax class; <see cref="GnMaxAggregator"/> answers from the
/// noisy counts (GNMax, or Confident-GNMax with a threshold), and the target is the answered
/// label as a one-hot distribution, returned as T · log q. Unanswered examples get a uniform row
/// and are listed out by <see cref="IPrivateEnsembleAccumulator.Release"/>. Streaming: one [N, C]
/// vote-count tensor.
/// </summary>
/// <remarks>
/// The privacy guarantee holds per private record only if every teacher is trained on its own
/// disjoint part of the private data (organizations split theirs into teacher partitions), so that
/// one record changes at most one vote. Nothing but the labels may leave the aggregator: the
/// teachers' logits, their agreement with the labels or their accuracy are not covered.
/// </remarks>
public sealed class PateGnMaxStrategy : IEnsembleStrategy
{
    /// <summary>The name this strategy is registered under.</summary>
    public const string StrategyName = "pate-gnmax";

    /// <summary>Creates the strategy.</summary>
    /// <param name="settings">σ₂, and the threshold and σ₁ for Confident-GNMax.</param>
    /// <param name="temperature">Temperature T &gt; 0 of the returned logits; set it to the distillation loss's.</param>
    /// <param name="noiseSeed">A seed for reproducible noise (tests and benchmarks only), or <see langword="null"/> for the secure generator.</param>
    public PateGnMaxStrategy(PateSettings settings, double temperature = 1.0, ulong? noiseSeed = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = settings.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(settings));
        Settings = settings;
        Temperature = ProbabilitySpace.RequireTemperature(temperature, nameof(temperature));
        NoiseSeed = noiseSeed;
    }

    /// <summary>The mechanism's settings.</summary>
    public PateSettings Settings { get; }

    /// <summary>The temperature T of the returned logits.</summary>
    public double Temperature { get; }

    /// <summary>The noise seed, or <see langword="null"/> when the noise is cryptographically secure.</summary>
    public ulong? NoiseSeed { get; }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public bool RetainsEveryTeacher => false;

    /// <inheritdoc />
    public IEnsembleAccumulator Begin(int examples, int classes) => new Accumulator(examples, classes, this);

    private sealed class Accumulator(int examples, int classes, PateGnMaxStrategy strategy) : EnsembleAccumulator(examples, classes), IPrivateEnsembleAccumulator
    {
        private Tensor? _votes;

        public PateLabels? Release { get; private set; }

        protected override void Accumulate(TeacherContribution contribution, Tensor logits)
        {
            _votes ??= RetainZeros(Examples, Classes);
            _votes.scatter_add_(1, logits.argmax(1, keepdim: true), torch.ones(Examples, 1, ScalarType.Float32, Device));
        }

        protected override Tensor Combine()
        {
            var counts = Array.ConvertAll(_votes!.cpu().data<float>().ToArray(), count => (double)count);
            var noise = strategy.NoiseSeed is { } seed ? GaussianNoise.Seeded(seed) : GaussianNoise.Secure();
            var release = new GnMaxAggregator(strategy.Settings, noise).Answer(counts, Classes);
            var target = new float[Examples * Classes];
            var low = (float)(strategy.Temperature * Math.Log(ProbabilitySpace.Floor));
            for (var row = 0; row < Examples; row++)
            {
                // A declined example gets a uniform row (all zeros): it carries nothing about the votes.
                var label = release.Labels[row];
                if (label < 0) continue;
                target.AsSpan(row * Classes, Classes).Fill(low);
                target[row * Classes + label] = 0;
            }

            Release = release;
            return torch.tensor(target, [Examples, Classes]).to(Device);
        }
    }
}
