using FedDistill.Serving.Onnx;

namespace FedDistill.Serving.Students;

/// <summary>
/// A student exported to ONNX (fp32, or the int8 QDQ graph <c>feddistill compress</c> writes)
/// served through ONNX Runtime: the fastest way to serve on a CPU.
/// </summary>
public sealed class OnnxStudentModel : IStudentModel, IDisposable
{
    private readonly OnnxStudent _session;

    /// <summary>Wraps an open session; the model owns it from now on.</summary>
    /// <exception cref="ArgumentException">The graph's input has an unknown size beyond the batch dimension.</exception>
    public OnnxStudentModel(OnnxStudent session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var shape = session.InputShape.Skip(1).ToArray();
        if (shape.Any(dimension => dimension < 1))
            throw new ArgumentException($"'{session.ModelPath}' has input shape [{string.Join(", ", session.InputShape)}]; only the batch dimension may be dynamic.", nameof(session));
        _session = session;
        ExampleShape = shape;
        Classes = checked((int)session.ClassCount);
    }

    /// <summary>Opens the ONNX file at <paramref name="path"/> with <paramref name="intraOpThreads"/> ONNX Runtime threads (0: its default).</summary>
    public static OnnxStudentModel Load(string path, int intraOpThreads = 0) =>
        new(new OnnxStudent(path, new OnnxStudentOptions { IntraOpThreads = intraOpThreads }));

    /// <summary>The ONNX file served.</summary>
    public string ModelPath => _session.ModelPath;

    /// <inheritdoc />
    public long[] ExampleShape { get; }

    /// <inheritdoc />
    public int Classes { get; }

    /// <inheritdoc />
    public float[] Predict(float[] batch, int batchSize) => _session.Run(batch, [batchSize, .. ExampleShape]);

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
