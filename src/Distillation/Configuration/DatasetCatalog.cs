using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// The data sets a configuration can name, what is known about each before loading (so a bad
/// split fails at validation), and how each is loaded into training and test sets.
/// </summary>
internal static class DatasetCatalog
{
    public const string FashionMnist = "fashion-mnist";
    public const string BreastCancer = "breast-cancer";

    /// <summary>Breast cancer ships as one table; this many examples (20%) are held out as its test set.</summary>
    public const int BreastCancerTestCount = 114;

    private const int BreastCancerCount = 569;

    public static IReadOnlyList<string> Names { get; } = [FashionMnist, BreastCancer];

    /// <summary>The shape, classes and split sizes of a known data set, or null for an unknown name.</summary>
    public static DatasetInfo? Find(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        FashionMnist => new DatasetInfo(FashionMnist, 60_000, 10_000, [1, 28, 28], Data.FashionMnist.ClassCount),
        BreastCancer => new DatasetInfo(BreastCancer, BreastCancerCount - BreastCancerTestCount, BreastCancerTestCount,
            [BreastCancerWisconsin.FeatureCount], 2),
        _ => null,
    };

    /// <summary>Loads the training and test sets (before limits and normalization).</summary>
    public static (Dataset Train, Dataset Test) Load(DatasetInfo info, string? directory, ulong seed)
    {
        if (info.Name == FashionMnist) return (Data.FashionMnist.LoadTrain(directory), Data.FashionMnist.LoadTest(directory));
        var table = BreastCancerWisconsin.Load(directory);
        var split = DatasetSplitter.Split(table, 0, table.Count - BreastCancerTestCount, BreastCancerTestCount, seed);
        return (split.PrivateSet, split.TestSet);
    }
}
