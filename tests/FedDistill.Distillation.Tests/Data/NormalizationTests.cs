using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

public sealed class NormalizationTests
{
    // Feature 0: 1, 3, 5 (mean 3, population std sqrt(8/3)); feature 1 constant 7; feature 2: -1, 0, 1.
    private static readonly Dataset Table = new([1, 7, -1, 3, 7, 0, 5, 7, 1], [3], [0, 1, 0], 2);

    [Fact]
    public void Standardization_fits_per_feature_mean_and_population_deviation()
    {
        FeatureStandardization standardization = FeatureStandardization.Fit(Table);

        Assert.Equal([3f, 7f, 0f], standardization.Mean);
        Assert.Equal((float)Math.Sqrt(8.0 / 3.0), standardization.StandardDeviation[0], 1e-6f);
        Assert.Equal((float)Math.Sqrt(2.0 / 3.0), standardization.StandardDeviation[2], 1e-6f);
    }

    [Fact]
    public void A_constant_feature_is_centred_to_zero_not_divided_into_NaN()
    {
        FeatureStandardization standardization = FeatureStandardization.Fit(Table);

        Dataset standardized = standardization.Apply(Table);

        Assert.Equal(1f, standardization.StandardDeviation[1]);
        Assert.All(standardized.Features.ToArray(), value => Assert.True(float.IsFinite(value)));
        Assert.Equal([0f, 0f, 0f], new[] { 1, 4, 7 }.Select(i => standardized.Features.Span[i]));
    }

    [Fact]
    public void Standardized_training_features_have_zero_mean_and_unit_deviation()
    {
        Dataset standardized = FeatureStandardization.Fit(Table).Apply(Table);

        float a = (float)(-2 / Math.Sqrt(8.0 / 3.0));
        float b = (float)(-1 / Math.Sqrt(2.0 / 3.0));
        float[] expected = [a, 0, b, 0, 0, 0, -a, 0, -b];
        Assert.Equal(expected, standardized.Features.ToArray(), (x, y) => Math.Abs(x - y) < 1e-6f);
        Assert.Equal(Table.Labels, standardized.Labels);
    }

    [Fact]
    public void Statistics_fitted_on_one_set_apply_unchanged_to_another()
    {
        FeatureStandardization fitted = FeatureStandardization.Fit(Table);
        var other = new Dataset([3, 7, 0, 3 + 2 * fitted.StandardDeviation[0], 8, -fitted.StandardDeviation[2]], [3], null, 2);

        Dataset applied = fitted.Apply(other);

        Assert.Equal([0f, 0f, 0f, 2f, 1f, -1f], applied.Features.ToArray(), (x, y) => Math.Abs(x - y) < 1e-6f);
        Assert.False(applied.HasLabels);
    }

    [Fact]
    public void Standardization_rejects_a_dataset_of_another_width()
    {
        FeatureStandardization fitted = FeatureStandardization.Fit(Table);

        var error = Assert.Throws<ArgumentException>(() => fitted.Apply(new Dataset(new float[4], [2], null, 2)));

        Assert.Contains("fitted on 3 features", error.Message);
    }

    [Fact]
    public void Global_normalization_uses_one_mean_and_deviation_over_all_values()
    {
        var images = new Dataset([0, 0.5f, 1, 0.5f, 0, 1, 0.5f, 1], [1, 2, 2], null, 10);

        GlobalNormalization normalization = GlobalNormalization.Fit(images);
        Dataset normalized = normalization.Apply(images);

        Assert.Equal(0.5625f, normalization.Mean, 1e-7f);
        Assert.Equal((float)Math.Sqrt(0.15234375), normalization.StandardDeviation, 1e-7f);
        GlobalNormalization check = GlobalNormalization.Fit(normalized);
        Assert.Equal(0f, check.Mean, 1e-6f);
        Assert.Equal(1f, check.StandardDeviation, 1e-6f);
    }

    [Fact]
    public void Global_normalization_in_place_matches_the_scalar_formula_on_every_element()
    {
        var normalization = new GlobalNormalization(0.2860f, 0.3530f);
        float[] values = Enumerable.Range(0, 37).Select(i => i / 36f).ToArray();
        float[] expected = values.Select(v => (v - 0.2860f) * (1f / 0.3530f)).ToArray();

        normalization.ApplyInPlace(values);

        Assert.Equal(expected, values);
    }

    [Fact]
    public void A_constant_image_set_normalizes_to_zeros_not_NaN()
    {
        var constant = new Dataset([0.3f, 0.3f, 0.3f, 0.3f], [1, 2, 2], null, 2);

        Dataset normalized = GlobalNormalization.Fit(constant).Apply(constant);

        Assert.Equal([0f, 0f, 0f, 0f], normalized.Features.ToArray());
    }
}
