using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

public sealed class CsvTableReaderTests
{
    private static Dataset Parse(string text) => CsvTableReader.Read(new StringReader(text), "table.csv");

    private static string ErrorOf(string text) =>
        Assert.Throws<InvalidDataException>(() => Parse(text)).Message;

    [Fact]
    public void Reads_features_targets_and_class_names_from_the_sklearn_layout()
    {
        Dataset table = Parse("3,2,low,high\n1.5,-2,0\n3e2, 0.25 ,1\n0,7.125,1\n");

        Assert.Equal(3, table.Count);
        Assert.Equal([2], table.ExampleShape);
        Assert.Equal(2, table.ClassCount);
        Assert.Equal(["low", "high"], table.ClassNames);
        Assert.Equal([1.5f, -2f, 300f, 0.25f, 0f, 7.125f], table.Features.ToArray());
        Assert.Equal([0, 1, 1], table.Labels);
    }

    [Fact]
    public void Accepts_windows_line_endings_and_trailing_empty_lines()
    {
        Dataset table = Parse("1,1,only\r\n4.5,0\r\n\r\n\n");

        Assert.Equal([4.5f], table.Features.ToArray());
    }

    [Fact]
    public void A_row_of_the_wrong_width_is_reported_with_its_line_number()
    {
        string message = ErrorOf("2,2,a,b\n1,2,0\n1,2,3,0\n");

        Assert.Contains("table.csv' line 3", message);
        Assert.Contains("expected 3 fields", message);
        Assert.Contains("found 4", message);
    }

    [Fact]
    public void A_number_that_does_not_parse_is_reported_with_line_and_column()
    {
        string message = ErrorOf("2,2,a,b\n1,2,0\n1,x2,1\n");

        Assert.Contains("line 3, column 2", message);
        Assert.Contains("'x2'", message);
    }

    [Fact]
    public void A_decimal_comma_is_not_read_as_a_number_whatever_the_locale()
    {
        // With a comma separator, "1,5" is two fields: the row has the wrong width.
        Assert.Contains("line 2", ErrorOf("1,1,a\n1,5,0\n"));
        Assert.Contains("not a finite number", ErrorOf("1,1,a\n1;5,0\n"));
    }

    [Fact]
    public void Non_finite_values_are_rejected()
    {
        Assert.Contains("'NaN' is not a finite number", ErrorOf("1,1,a\nNaN,0\n"));
        Assert.Contains("'Infinity' is not a finite number", ErrorOf("1,1,a\nInfinity,0\n"));
    }

    [Fact]
    public void A_target_outside_the_named_classes_is_rejected()
    {
        Assert.Contains("line 3: target 2 is outside [0, 2)", ErrorOf("2,1,a,b\n1,1\n1,2\n"));
        Assert.Contains("target -1 is outside", ErrorOf("1,1,a,b\n1,-1\n"));
        Assert.Contains("target '1.0' is not an integer", ErrorOf("1,1,a,b\n1,1.0\n"));
    }

    [Fact]
    public void Fewer_rows_than_the_header_declares_is_rejected()
    {
        Assert.Contains("declares 3 samples but the file has 2 rows", ErrorOf("3,1,a\n1,0\n2,0\n"));
    }

    [Fact]
    public void More_rows_than_the_header_declares_is_rejected_at_the_first_extra_line()
    {
        Assert.Contains("line 4: more rows than the 2 samples", ErrorOf("2,1,a\n1,0\n2,0\n3,0\n"));
    }

    [Fact]
    public void An_empty_line_between_rows_is_rejected()
    {
        Assert.Contains("line 3: empty line", ErrorOf("2,1,a\n1,0\n\n2,0\n"));
    }

    [Fact]
    public void A_malformed_header_is_rejected()
    {
        Assert.Contains("line 1", ErrorOf("2,1\n1,0\n"));
        Assert.Contains("n_samples", ErrorOf("many,1,a\n1,0\n"));
        Assert.Contains("n_features", ErrorOf("1,0,a\n0\n"));
        Assert.Contains("empty", ErrorOf(""));
    }
}
