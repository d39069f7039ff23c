using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Federated;

/// <summary>
/// The source datasets one member reads its public, private and evaluation sets from, each parsed
/// at most once: a participant's public and private sets usually come from the same file, and
/// parsing 60,000 images twice at start-up is wasted time.
/// </summary>
/// <param name="dataDirectory">The Fashion-MNIST directory, or null for the Debian package's location.</param>
public sealed class DataSources(string? dataDirectory)
{
    /// <summary>The source datasets a public or private set can come from.</summary>
    public static IReadOnlyList<string> AllowedSources { get; } = ["fashion-mnist-train", "fashion-mnist-test"];

    private readonly Dictionary<string, Dataset> _loaded = new(StringComparer.Ordinal);

    /// <summary>A named source dataset, raw (not normalized); the same instance on every call.</summary>
    /// <exception cref="ArgumentException">Unknown source name.</exception>
    public Dataset Get(string source)
    {
        lock (_loaded)
        {
            if (!_loaded.TryGetValue(source, out var dataset))
            {
                dataset = source switch
                {
                    "fashion-mnist-train" => FashionMnist.LoadTrain(dataDirectory),
                    "fashion-mnist-test" => FashionMnist.LoadTest(dataDirectory),
                    _ => throw new ArgumentException($"Unknown data source '{source}'; allowed: {string.Join(", ", AllowedSources)}.", nameof(source)),
                };
                _loaded[source] = dataset;
            }

            return dataset;
        }
    }

    /// <summary>The first <paramref name="count"/> test images, normalized with the public set's constants (an evaluation set).</summary>
    public Dataset EvaluationSet(PublicSet publicSet, int count)
    {
        ArgumentNullException.ThrowIfNull(publicSet);
        var test = Get("fashion-mnist-test");
        return publicSet.Normalization.Apply(test.Subset(Enumerable.Range(0, Math.Min(count, test.Count)).ToArray()));
    }
}
