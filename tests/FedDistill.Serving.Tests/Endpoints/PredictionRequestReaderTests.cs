using System.Text;
using FedDistill.Serving.Endpoints;

namespace FedDistill.Serving.Tests.Endpoints;

/// <summary><see cref="PredictionRequestReader"/>: values land in order as floats, and each problem says where it is and what is expected.</summary>
public sealed class PredictionRequestReaderTests
{
    private static readonly long[] ImageShape = [1, 2, 2];

    [Fact]
    public void Examples_are_read_back_to_back_in_order()
    {
        var body = """ {"inputs": [[1, -2.5, 3e-3, 4], [0.1, 1E2, -0, 7]]} """;

        Assert.True(PredictionRequestReader.TryRead(Encoding.UTF8.GetBytes(body), ImageShape, 8, out var request, out _));

        Assert.Equal(2, request.Count);
        Assert.Equal([1f, -2.5f, 3e-3f, 4, 0.1f, 100, -0f, 7], request.Inputs.ToArray());
    }

    [Fact]
    public void A_problem_names_the_example_and_value_and_the_expected_shape()
    {
        var body = """{"inputs": [[1, 2, 3, 4], [1, 2, 3]]}""";

        Assert.False(PredictionRequestReader.TryRead(Encoding.UTF8.GetBytes(body), ImageShape, 8, out _, out var problem));

        Assert.Equal(PredictionProblem.WrongLength, problem.Reason);
        Assert.Equal(400, problem.Status);
        Assert.Equal("invalid", problem.Outcome);
        Assert.Contains("inputs[1] has 3 numbers", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("shape [1, 2, 2] flattened row-major", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_out_of_float_range_is_named_with_its_text()
    {
        var body = """{"inputs": [[1, 2, 3, 4], [1, 2, 4e38, 4]]}""";

        Assert.False(PredictionRequestReader.TryRead(Encoding.UTF8.GetBytes(body), ImageShape, 8, out _, out var problem));

        Assert.Equal(PredictionProblem.NonFinite, problem.Reason);
        Assert.Contains("inputs[1][2] is 4e38", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_gives_its_line_and_byte()
    {
        var body = "{\"inputs\":\n [[1, 2, NaN, 4]]}";

        Assert.False(PredictionRequestReader.TryRead(Encoding.UTF8.GetBytes(body), ImageShape, 8, out _, out var problem));

        Assert.Equal(PredictionProblem.NotJson, problem.Reason);
        Assert.Contains("(line 2, byte 10)", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("no NaN or Infinity", problem.Detail, StringComparison.Ordinal);
    }
}
