using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

// Counts and values were read from the real breast_cancer.csv with Python's csv module.
// Tests that change the sklearn environment variables live in this class only, so they never
// run at the same time as another test that reads them.
public sealed class BreastCancerWisconsinTests
{
    public BreastCancerWisconsinTests() => TestRepository.EnsureRootVariable();

    [Fact]
    public void The_table_has_569_tumours_of_30_features()
    {
        Dataset table = BreastCancerWisconsin.Load();

        Assert.Equal(569, table.Count);
        Assert.Equal([30], table.ExampleShape);
        Assert.Equal(["malignant", "benign"], table.ClassNames);
    }

    [Fact]
    public void Labels_count_212_malignant_and_357_benign()
    {
        Dataset table = BreastCancerWisconsin.Load();

        Assert.Equal(212, table.Labels!.Count(label => label == BreastCancerWisconsin.MalignantLabel));
        Assert.Equal(357, table.Labels!.Count(label => label == BreastCancerWisconsin.BenignLabel));
    }

    [Fact]
    public void First_and_last_rows_hold_the_values_in_the_file()
    {
        Dataset table = BreastCancerWisconsin.Load();

        Assert.Equal([17.99f, 10.38f, 122.8f], table.GetFeatures(0)[..3].ToArray());
        Assert.Equal(0, table.GetLabel(0));
        Assert.Equal([0.2871f, 0.07039f], table.GetFeatures(568)[^2..].ToArray());
        Assert.Equal(1, table.GetLabel(568));
    }

    [Fact]
    public void Standardized_features_have_zero_mean_and_unit_deviation()
    {
        Dataset table = BreastCancerWisconsin.Load();

        Dataset standardized = FeatureStandardization.Fit(table).Apply(table);
        FeatureStandardization check = FeatureStandardization.Fit(standardized);

        Assert.All(check.Mean, mean => Assert.Equal(0f, mean, 1e-5f));
        Assert.All(check.StandardDeviation, deviation => Assert.Equal(1f, deviation, 1e-4f));
    }

    [Fact]
    public void The_directory_variable_is_searched_alone_and_a_miss_says_how_to_get_the_file()
    {
        using var empty = new TemporaryDirectory();
        string? previous = Environment.GetEnvironmentVariable(SklearnDataDirectory.DirectoryVariable);
        try
        {
            Environment.SetEnvironmentVariable(SklearnDataDirectory.DirectoryVariable, empty.Path);

            Assert.Equal([empty.Path], SklearnDataDirectory.CandidateDirectories());
            var error = Assert.Throws<FileNotFoundException>(() => BreastCancerWisconsin.Load());
            Assert.Contains(empty.Path, error.Message);
            Assert.Contains("apt-get download python3-sklearn", error.Message);
            Assert.Contains("dpkg -x", error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SklearnDataDirectory.DirectoryVariable, previous);
        }
    }

    [Fact]
    public void The_directory_variable_points_the_loader_at_another_copy()
    {
        using var copy = new TemporaryDirectory();
        File.Copy(SklearnDataDirectory.FindFile(BreastCancerWisconsin.FileName), copy.File(BreastCancerWisconsin.FileName));
        string? previous = Environment.GetEnvironmentVariable(SklearnDataDirectory.DirectoryVariable);
        try
        {
            Environment.SetEnvironmentVariable(SklearnDataDirectory.DirectoryVariable, copy.Path);

            Assert.Equal(copy.File(BreastCancerWisconsin.FileName), SklearnDataDirectory.FindFile(BreastCancerWisconsin.FileName));
            Assert.Equal(569, BreastCancerWisconsin.Load().Count);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SklearnDataDirectory.DirectoryVariable, previous);
        }
    }

    [Fact]
    public void A_table_of_another_shape_is_not_taken_for_breast_cancer()
    {
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.File(BreastCancerWisconsin.FileName), "1,2,a,b\n1,2,0\n");

        var error = Assert.Throws<InvalidDataException>(() => BreastCancerWisconsin.Load(directory.Path));

        Assert.Contains("expected 30 features", error.Message);
    }
}
