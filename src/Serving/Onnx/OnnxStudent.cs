using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FedDistill.Serving.Onnx;

/// <summary>
/// A student served from an ONNX file by ONNX Runtime on the CPU: one float tensor in, class
/// logits out. <see cref="Run"/> may be called from many threads at once (ONNX Runtime's
/// session is thread-safe for Run); dispose once no call is in flight.
/// </summary>
public sealed class OnnxStudent : IDisposable
{
    /// <summary>ONNX Runtime's session option that replaces the saturating uint8×int8 kernel of CPUs without VNNI.</summary>
    private const string ExactInt8KernelsKey = "session.x64quantprecision";

    private readonly InferenceSession session;
    private readonly RunOptions runOptions;
    private readonly string[] inputNames;
    private readonly string[] outputNames;
    private readonly long[] inputShape;
    private readonly bool logitsRows; // the output is [batch, classes], classes known: written into an array of ours
    private volatile bool disposed;

    /// <summary>Loads the model at <paramref name="path"/>, which must have one float tensor input and one float tensor output.</summary>
    /// <param name="path">An ONNX file, e.g. one <see cref="OnnxExporter"/> wrote.</param>
    /// <param name="options">Session settings; defaults when null.</param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">ONNX Runtime cannot load the file, or it does not have one float input and one float output.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="OnnxStudentOptions.IntraOpThreads"/> is negative.</exception>
    public OnnxStudent(string path, OnnxStudentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new OnnxStudentOptions();
        if (options.IntraOpThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.IntraOpThreads, "OnnxStudentOptions.IntraOpThreads must be 0 (ONNX Runtime chooses) or positive.");
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no ONNX model at '{path}'.", path);

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (options.ExactInt8Kernels) sessionOptions.AddSessionConfigEntry(ExactInt8KernelsKey, "1");
        try
        {
            session = new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException exception)
        {
            throw new InvalidDataException($"ONNX Runtime cannot load '{path}': {exception.Message}", exception);
        }

        try
        {
            var (input, inputMetadata) = Single(session.InputMetadata, "input", path);
            var (output, outputMetadata) = Single(session.OutputMetadata, "output", path);
            inputNames = [input];
            outputNames = [output];
            inputShape = inputMetadata.Dimensions.Select(dimension => (long)dimension).ToArray();
            var outputShape = outputMetadata.Dimensions;
            ClassCount = outputShape.Length > 0 && outputShape[^1] > 0 ? outputShape[^1] : -1;
            logitsRows = outputShape.Length == 2 && ClassCount > 0;
            ModelPath = path;
            runOptions = new RunOptions();
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The file the model was loaded from.</summary>
    public string ModelPath { get; }

    /// <summary>The name of the model's input ("input" for <see cref="OnnxExporter"/>'s files).</summary>
    public string InputName => inputNames[0];

    /// <summary>The name of the model's output ("logits" for <see cref="OnnxExporter"/>'s files).</summary>
    public string OutputName => outputNames[0];

    /// <summary>The input's shape as the model declares it; -1 marks a dynamic dimension (the batch).</summary>
    public IReadOnlyList<long> InputShape => inputShape;

    /// <summary>Logits per example (the output's last dimension), or -1 when the model leaves it dynamic.</summary>
    public long ClassCount { get; }

    /// <summary>Runs the model on a batch and returns its logits.</summary>
    /// <param name="input">The batch's values, row-major, e.g. N×C×H×W floats; read, not kept.</param>
    /// <param name="shape">The batch's shape: the model's <see cref="InputShape"/> with each dynamic dimension at least 1.</param>
    /// <returns>A new array of N × <see cref="ClassCount"/> logits, row-major [N, classes].</returns>
    /// <exception cref="ArgumentException">The shape does not fit the model, or the input does not hold as many values as the shape says.</exception>
    /// <exception cref="ObjectDisposedException">The student was disposed.</exception>
    public float[] Run(float[] input, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(shape);
        ObjectDisposedException.ThrowIf(disposed, this);
        var expected = CheckShape(shape);
        if (input.LongLength != expected)
            throw new ArgumentException($"The input holds {input.LongLength} values but shape {Format(shape)} needs {expected}.", nameof(input));

        // Both arrays are pinned for the call, not copied: the input where it is, and the logits
        // written straight into the array returned when the output is [batch, classes].
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, shape);
        if (logitsRows)
        {
            var logits = new float[checked(shape[0] * ClassCount)];
            using var outputValue = OrtValue.CreateTensorValueFromMemory(logits, [shape[0], ClassCount]);
            session.Run(runOptions, inputNames, [inputValue], outputNames, [outputValue]);
            return logits;
        }
        using var outputs = session.Run(runOptions, inputNames, [inputValue], outputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Frees the ONNX Runtime session.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        runOptions.Dispose();
        session.Dispose();
    }

    /// <summary>Checks <paramref name="shape"/> against <see cref="InputShape"/> and returns its element count.</summary>
    private long CheckShape(long[] shape)
    {
        if (shape.Length != inputShape.Length)
            throw new ArgumentException($"The input shape {Format(shape)} has {shape.Length} dimensions; the model takes {inputShape.Length}: {Describe(inputShape)}.", nameof(shape));
        var count = 1L;
        for (var axis = 0; axis < shape.Length; axis++)
        {
            if (shape[axis] < 1)
                throw new ArgumentException($"The input shape {Format(shape)} has dimension {axis} = {shape[axis]}; every dimension must be at least 1.", nameof(shape));
            if (inputShape[axis] > 0 && shape[axis] != inputShape[axis])
                throw new ArgumentException($"The input shape {Format(shape)} has dimension {axis} = {shape[axis]}; the model takes {inputShape[axis]} there: {Describe(inputShape)}.", nameof(shape));
            try
            {
                count = checked(count * shape[axis]);
            }
            catch (OverflowException)
            {
                throw new ArgumentException($"The input shape {Format(shape)} has more elements than an array can hold.", nameof(shape));
            }
        }
        return count;
    }

    private static (string Name, NodeMetadata Metadata) Single(IReadOnlyDictionary<string, NodeMetadata> values, string role, string path)
    {
        if (values.Count != 1)
            throw new InvalidDataException($"The model '{path}' has {values.Count} {role}s; a student has exactly one.");
        var (name, metadata) = values.Single();
        if (!metadata.IsTensor || metadata.ElementDataType != TensorElementType.Float)
            throw new InvalidDataException($"The model's {role} '{name}' is not a float tensor ({metadata.OnnxValueType}, {metadata.ElementDataType}).");
        return (name, metadata);
    }

    private static string Format(long[] shape) => $"[{string.Join(", ", shape)}]";

    private static string Describe(long[] shape) => $"[{string.Join(", ", shape.Select(dimension => dimension > 0 ? dimension.ToString(System.Globalization.CultureInfo.InvariantCulture) : "batch"))}]";
}
