namespace FedDistill.Distillation.Privacy;

/// <summary>
/// PATE's private aggregation of teacher votes (Papernot et al. 2018): GNMax returns
/// argmax_c (n_c + N(0, σ₂²)); Confident-GNMax first releases nothing for a query unless
/// max_c n_c + N(0, σ₁²) ≥ T. Each teacher must be trained on its own disjoint part of the private
/// data, so that one private record changes at most one vote: the analysis rests on it.
/// </summary>
/// <param name="settings">σ₂, and the threshold T and σ₁ for Confident-GNMax.</param>
/// <param name="noise">Where the noise comes from: <see cref="GaussianNoise.Secure"/> for a real release.</param>
public sealed class GnMaxAggregator(PateSettings settings, GaussianNoise noise)
{
    private readonly PateSettings _settings = Checked(settings);
    private readonly GaussianNoise _noise = noise ?? throw new ArgumentNullException(nameof(noise));

    /// <summary>The settings.</summary>
    public PateSettings Settings => _settings;

    /// <summary>Answers every query of a row-major [queries, classes] vote-count matrix.</summary>
    /// <param name="votes">Vote counts, queries × classes, each finite and non-negative.</param>
    /// <param name="classes">Classes C ≥ 1; <paramref name="votes"/>'s length must be a multiple of it.</param>
    /// <param name="orders">Rényi orders for the accountants; <see cref="RenyiAccountant.DefaultOrders"/> when null.</param>
    /// <exception cref="ArgumentException">The matrix shape does not fit, or a count is negative or not finite.</exception>
    public PateLabels Answer(ReadOnlySpan<double> votes, int classes, IReadOnlyList<double>? orders = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (votes.Length % classes != 0) throw new ArgumentException($"{votes.Length} vote counts do not make rows of {classes} classes.", nameof(votes));
        foreach (var count in votes)
        {
            if (!(count >= 0) || !double.IsFinite(count)) throw new ArgumentException($"Vote count {count} must be finite and non-negative.", nameof(votes));
        }

        var queries = votes.Length / classes;
        var labels = new int[queries];
        var independent = new RenyiAccountant(orders);
        var dependent = new RenyiAccountant(orders);
        var answered = 0;
        for (var query = 0; query < queries; query++)
        {
            var row = votes.Slice(query * classes, classes);
            if (_settings.IsConfident)
            {
                var top = double.MinValue;
                foreach (var count in row) top = Math.Max(top, count);
                if (top + _noise.Next(_settings.ThresholdSigma) < _settings.Threshold)
                {
                    labels[query] = -1;
                    continue;
                }
            }

            var best = 0;
            var bestValue = double.NegativeInfinity;
            for (var c = 0; c < classes; c++)
            {
                var noisy = row[c] + _noise.Next(_settings.Sigma);
                if (noisy > bestValue)
                {
                    bestValue = noisy;
                    best = c;
                }
            }

            labels[query] = best;
            answered++;
            dependent.AddGnMaxDataDependent(row, _settings.Sigma);
        }

        if (_settings.IsConfident)
        {
            independent.AddThresholdCheck(_settings.ThresholdSigma, queries);
            dependent.AddThresholdCheck(_settings.ThresholdSigma, queries);
        }

        independent.AddGnMax(_settings.Sigma, answered);
        return new PateLabels(labels, independent, dependent);
    }

    private static PateSettings Checked(PateSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = settings.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(settings));
        return settings;
    }
}
