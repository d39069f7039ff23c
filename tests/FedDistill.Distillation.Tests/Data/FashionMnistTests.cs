using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

// The expected values were read from the real files with Python's gzip module (golden_values.py).
public sealed class FashionMnistTests(FashionMnistFixture fashion) : IClassFixture<FashionMnistFixture>
{
    [Fact]
    public void Train_and_test_sets_have_60000_and_10000_examples_of_one_28x28_channel()
    {
        Assert.Equal(60_000, fashion.Train.Count);
        Assert.Equal(10_000, fashion.Test.Count);
        Assert.Equal([1, 28, 28], fashion.Train.ExampleShape);
        Assert.Equal([1, 28, 28], fashion.Test.ExampleShape);
        Assert.Equal(784, fashion.Train.FeatureLength);
    }

    [Fact]
    public void Every_class_appears_6000_times_in_train_and_1000_times_in_test()
    {
        Assert.All(Histogram(fashion.Train), count => Assert.Equal(6_000, count));
        Assert.All(Histogram(fashion.Test), count => Assert.Equal(1_000, count));
    }

    [Fact]
    public void Pixels_lie_in_the_unit_interval_and_reach_both_ends()
    {
        float min = float.PositiveInfinity;
        float max = float.NegativeInfinity;
        foreach (float pixel in fashion.Train.Features.Span)
        {
            min = Math.Min(min, pixel);
            max = Math.Max(max, pixel);
        }

        Assert.Equal(0f, min);
        Assert.Equal(1f, max);
    }

    [Fact]
    public void First_training_example_is_an_ankle_boot_with_the_known_pixel_sum()
    {
        Assert.Equal(9, fashion.Train.GetLabel(0));
        Assert.Equal("Ankle boot", fashion.Train.ClassNames![9]);
        Assert.Equal("T-shirt/top", fashion.Train.ClassNames[0]);
        Assert.Equal(76247 / 255.0, Sum(fashion.Train.GetFeatures(0)), precision: 3);
        Assert.Equal(9, fashion.Test.GetLabel(0));
        Assert.Equal(33456 / 255.0, Sum(fashion.Test.GetFeatures(0)), precision: 3);
    }

    [Fact]
    public void Fitted_global_normalization_matches_the_well_known_constants()
    {
        GlobalNormalization normalization = GlobalNormalization.Fit(fashion.Train);

        Assert.Equal(FashionMnist.ReferenceMean, normalization.Mean, 4e-4f);
        Assert.Equal(FashionMnist.ReferenceStandardDeviation, normalization.StandardDeviation, 4e-4f);
    }

    [Fact]
    public void Fingerprints_match_the_ones_python_computes_from_the_same_files()
    {
        Assert.Equal(
            "fbd17cccd381b4ad7852bf4b8e765a0c475008657e4032c4ead7f1345f121494",
            DatasetFingerprint.Compute(fashion.Train));
        Assert.Equal(
            "9b0c9cba436b8c80fdff7734a694f78b37b82e8c52fb406d0b33255cbbf41ff6",
            DatasetFingerprint.Compute(fashion.Test));
    }

    [Fact]
    public void A_missing_directory_says_how_to_install_the_data()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.LoadTrain("/nonexistent/fashion-mnist"));

        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
        Assert.Contains("./run", error.Message);
        Assert.Contains(FashionMnist.DirectoryVariable, error.Message);
    }

    [Fact]
    public void The_environment_variable_overrides_the_default_directory()
    {
        // Only this class reads the variable, and tests within a class run one at a time.
        using var directory = new TemporaryDirectory();
        File.WriteAllBytes(directory.File("train-images-idx3-ubyte.gz"),
            IdxTestFiles.Gzip(IdxTestFiles.Images(3, 28, 28, i => (byte)(i % 256))));
        File.WriteAllBytes(directory.File("train-labels-idx1-ubyte"), IdxTestFiles.Labels(4, 5, 6));
        string? previous = Environment.GetEnvironmentVariable(FashionMnist.DirectoryVariable);
        try
        {
            Environment.SetEnvironmentVariable(FashionMnist.DirectoryVariable, directory.Path);

            Dataset train = FashionMnist.LoadTrain();

            Assert.Equal(directory.Path, FashionMnist.ResolveDirectory());
            Assert.Equal(3, train.Count);
            Assert.Equal([4, 5, 6], train.Labels);
        }
        finally
        {
            Environment.SetEnvironmentVariable(FashionMnist.DirectoryVariable, previous);
        }
    }

    private static int[] Histogram(Dataset dataset)
    {
        var counts = new int[dataset.ClassCount];
        foreach (int label in dataset.Labels!)
        {
            counts[label]++;
        }

        return counts;
    }

    private static double Sum(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float value in values)
        {
            sum += value;
        }

        return sum;
    }
}
