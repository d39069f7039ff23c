using FedDistill.Serving.Onnx;
using TorchSharp;

namespace FedDistill.Serving.Tests.Onnx;

/// <summary>One small-cnn exported once (fp32), loaded by every test.</summary>
public sealed class ExportedSmallCnn : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public ExportedSmallCnn()
    {
        using var model = ZooModels.Create("small-cnn", [1, 28, 28], seed: 21);
        Path = directory.File("small-cnn.onnx");
        OnnxExporter.Export(model, [1, 28, 28], Path, OnnxExportOptions.Float32);
        Images = torch.rand(new long[] { 7, 1, 28, 28 }).data<float>().ToArray();
        Logits = ZooModels.Logits(model, Images, [7, 1, 28, 28]);
    }

    public string Path { get; }

    /// <summary>Seven random images, [7, 1, 28, 28].</summary>
    public float[] Images { get; }

    /// <summary>TorchSharp's logits for <see cref="Images"/>, [7, 10].</summary>
    public float[] Logits { get; }

    public string Directory => directory.Path;

    public void Dispose() => directory.Dispose();
}

[Collection(TorchGlobalState.Name)]
public sealed class OnnxStudentTests(ExportedSmallCnn exported) : IClassFixture<ExportedSmallCnn>
{
    [Fact]
    public void The_student_describes_its_input_with_a_dynamic_batch_and_its_class_count()
    {
        using var student = new OnnxStudent(exported.Path);
        Assert.Equal("input", student.InputName);
        Assert.Equal("logits", student.OutputName);
        Assert.Equal([-1L, 1, 28, 28], student.InputShape);
        Assert.Equal(10, student.ClassCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void Run_returns_one_row_of_logits_per_example_for_any_batch_size(int batch)
    {
        using var student = new OnnxStudent(exported.Path, new OnnxStudentOptions { IntraOpThreads = 1 });
        var logits = student.Run(exported.Images[..(batch * 784)], [batch, 1, 28, 28]);

        Assert.Equal(batch * 10, logits.Length);
        Assert.Equal(exported.Logits[..(batch * 10)], logits, (e, a) => Math.Abs(e - a) <= 1e-4);
    }

    [Fact]
    public void Concurrent_runs_return_the_same_logits_as_one_run_at_a_time()
    {
        using var student = new OnnxStudent(exported.Path, new OnnxStudentOptions { IntraOpThreads = 1 });
        var inputs = Enumerable.Range(0, 7).Select(i => exported.Images.AsSpan(i * 784, 784).ToArray()).ToArray();
        var sequential = inputs.Select(input => student.Run(input, [1, 1, 28, 28])).ToArray();

        var concurrent = new float[8 * 25][];
        Parallel.For(0, concurrent.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => concurrent[i] = student.Run(inputs[i % inputs.Length], [1, 1, 28, 28]));

        for (var i = 0; i < concurrent.Length; i++) Assert.Equal(sequential[i % inputs.Length], concurrent[i]);
    }

    [Fact]
    public void A_shape_of_the_wrong_rank_is_refused_showing_the_shape_the_model_takes()
    {
        using var student = new OnnxStudent(exported.Path);
        var error = Assert.Throws<ArgumentException>(() => student.Run(new float[784], [1, 28, 28]));
        Assert.Equal("The input shape [1, 28, 28] has 3 dimensions; the model takes 4: [batch, 1, 28, 28]. (Parameter 'shape')", error.Message);
    }

    [Fact]
    public void A_wrong_fixed_dimension_is_refused_naming_the_dimension()
    {
        using var student = new OnnxStudent(exported.Path);
        var error = Assert.Throws<ArgumentException>(() => student.Run(new float[3 * 784], [1, 3, 28, 28]));
        Assert.Equal("The input shape [1, 3, 28, 28] has dimension 1 = 3; the model takes 1 there: [batch, 1, 28, 28]. (Parameter 'shape')", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void An_empty_or_negative_batch_is_refused(long batch)
    {
        using var student = new OnnxStudent(exported.Path);
        var error = Assert.Throws<ArgumentException>(() => student.Run([], [batch, 1, 28, 28]));
        Assert.Equal($"The input shape [{batch}, 1, 28, 28] has dimension 0 = {batch}; every dimension must be at least 1. (Parameter 'shape')", error.Message);
    }

    [Fact]
    public void An_input_whose_length_does_not_match_the_shape_is_refused()
    {
        using var student = new OnnxStudent(exported.Path);
        var error = Assert.Throws<ArgumentException>(() => student.Run(new float[784], [2, 1, 28, 28]));
        Assert.Equal("The input holds 784 values but shape [2, 1, 28, 28] needs 1568. (Parameter 'input')", error.Message);
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        using var student = new OnnxStudent(exported.Path);
        Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => student.Run(null!, [1, 1, 28, 28])).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => student.Run(new float[784], null!)).ParamName);
    }

    [Fact]
    public void A_missing_file_is_refused_with_its_path()
    {
        var path = Path.Combine(exported.Directory, "absent.onnx");
        var error = Assert.Throws<FileNotFoundException>(() => new OnnxStudent(path));
        Assert.Equal(path, error.FileName);
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_refused_as_invalid_data()
    {
        var path = Path.Combine(exported.Directory, "not-a-model.onnx");
        File.WriteAllText(path, "these are not protobuf bytes");
        var error = Assert.Throws<InvalidDataException>(() => new OnnxStudent(path));
        Assert.StartsWith($"ONNX Runtime cannot load '{path}':", error.Message);
    }

    [Fact]
    public void Negative_intra_op_threads_are_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxStudent(exported.Path, new OnnxStudentOptions { IntraOpThreads = -1 }));
        Assert.Contains("OnnxStudentOptions.IntraOpThreads must be 0 (ONNX Runtime chooses) or positive.", error.Message);
    }

    [Fact]
    public void Run_after_dispose_is_refused()
    {
        var student = new OnnxStudent(exported.Path);
        student.Dispose();
        student.Dispose();
        Assert.Throws<ObjectDisposedException>(() => student.Run(new float[784], [1, 1, 28, 28]));
    }
}
