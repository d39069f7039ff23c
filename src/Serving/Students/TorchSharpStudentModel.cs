using System.Globalization;
using System.Runtime.InteropServices;
using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Serving.Students;

/// <summary>
/// An <see cref="IStudentModel"/> over a TorchSharp module from the model zoo (or any module that
/// maps [B, ...example shape] to [B, classes] logits): each batch runs in evaluation mode under
/// inference mode and a dispose scope of its own, one batch at a time.
/// </summary>
/// <remarks>
/// Owns the module: <see cref="Dispose"/> disposes it. Thread-safe (callers are serialized).
/// The constructor runs one example of zeros through the module, so a module that does not fit the
/// example shape or the number of classes fails at start, not on the first request.
/// </remarks>
public sealed class TorchSharpStudentModel : IStudentModel, IDisposable
{
    // In an mlp (Flatten, then Linear, ...) the first Linear is "layers.1"; its weight is [hidden, inputs].
    private const string MlpFirstWeight = "layers.1.weight";
    private const long DefaultInputChannels = 1;
    private const long DefaultImageSize = 28;

    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>Wraps <paramref name="module"/>, moving it to <paramref name="device"/> in evaluation mode, and checks it on one example.</summary>
    /// <param name="module">The student; owned from here on.</param>
    /// <param name="exampleShape">The shape of one example without the batch dimension.</param>
    /// <param name="classes">Logits per example.</param>
    /// <param name="device">Where to run; null is the CPU.</param>
    /// <exception cref="ArgumentException">The shape or classes are not positive, or the module does not map one example to <paramref name="classes"/> logits.</exception>
    public TorchSharpStudentModel(nn.Module<Tensor, Tensor> module, IReadOnlyList<long> exampleShape, int classes, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(exampleShape);
        if (exampleShape.Count == 0 || exampleShape.Any(dimension => dimension < 1))
            throw new ArgumentException($"The example shape [{string.Join(", ", exampleShape)}] must have at least one dimension, all positive.", nameof(exampleShape));
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        _module = module;
        ExampleShape = [.. exampleShape];
        Classes = classes;
        Device = device ?? CPU;
        _module.to(Device);
        _module.eval();
        try
        {
            Predict(new float[ExampleShape.Aggregate(1L, (product, dimension) => product * dimension)], 1);
        }
        catch (Exception error) when (error is InvalidOperationException or ExternalException)
        {
            throw new ArgumentException($"The student does not map an example of shape [{string.Join(", ", ExampleShape)}] to {classes} logits: {error.Message}", nameof(module), error);
        }
    }

    /// <inheritdoc />
    public long[] ExampleShape { get; }

    /// <inheritdoc />
    public int Classes { get; }

    /// <summary>Where the student runs.</summary>
    public Device Device { get; }

    /// <summary>The number of parameter elements of the student.</summary>
    public long ParameterCount => _module.ParameterCount();

    /// <summary>
    /// Loads a student written by <c>feddistill distill</c> or <c>feddistill students export</c>:
    /// its state dict (<c>.safetensors</c>) and, beside it, <c>model.json</c> (its <see cref="ModelSpec"/>).
    /// </summary>
    /// <param name="studentPath">The <c>.safetensors</c> state dict.</param>
    /// <param name="device">Where to run; null is the CPU.</param>
    /// <returns>The student and its spec; the caller owns the student.</returns>
    /// <remarks>
    /// The example shape is the spec's image geometry ([channels, size, size], defaults 1 and 28) for
    /// the image models, and [inputs] for an mlp, its first layer's input width read from the state dict.
    /// </remarks>
    /// <exception cref="FileNotFoundException">The state dict or <c>model.json</c> is missing.</exception>
    /// <exception cref="InvalidDataException">The files are not a student: not safetensors, an invalid spec, or weights that do not fit it (the message says which).</exception>
    public static (TorchSharpStudentModel Student, ModelSpec Spec) Load(string studentPath, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(studentPath);
        var path = Path.GetFullPath(studentPath);
        if (!ModelFiles.IsSafetensors(path))
            throw new InvalidDataException($"'{studentPath}' is not a {ModelFiles.SafetensorsExtension} state dict; serve the student.safetensors that distill or students export wrote.");
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no student file '{studentPath}'.", path);
        var specPath = Path.Combine(Path.GetDirectoryName(path)!, ModelSpecFile.FileName);
        if (!File.Exists(specPath))
            throw new FileNotFoundException($"There is no {ModelSpecFile.FileName} beside '{studentPath}' ({specPath}): the student's architecture comes from it.", specPath);
        var spec = ModelSpecFile.Read(specPath);
        var exampleShape = ExampleShapeOf(spec, path);

        var module = ModelFactory.Create(spec, exampleShape.Select(dimension => (int)dimension).ToArray());
        try
        {
            ModelFiles.LoadWeights(module, path);
            return (new TorchSharpStudentModel(module, exampleShape, spec.Classes, device), spec);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The module's output is not [<paramref name="batchSize"/>, <see cref="Classes"/>].</exception>
    public float[] Predict(float[] batch, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var shape = new long[ExampleShape.Length + 1];
        shape[0] = batchSize;
        ExampleShape.CopyTo(shape, 1);
        if (batch.LongLength != shape.Aggregate(1L, (product, dimension) => product * dimension))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{batch.Length} values are not {batchSize} examples of shape [{string.Join(", ", ExampleShape)}]."), nameof(batch));

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var inference = torch.inference_mode();
            using var scope = torch.NewDisposeScope();
            var input = torch.tensor(batch, shape, dtype: ScalarType.Float32, device: Device);
            var output = _module.forward(input);
            if (output.dim() != 2 || output.shape[0] != batchSize || output.shape[1] != Classes)
                throw new InvalidOperationException($"The student returned logits of shape [{string.Join(", ", output.shape)}] for {batchSize} examples; expected [{batchSize}, {Classes}].");
            return output.to_type(ScalarType.Float32).cpu().data<float>().ToArray();
        }
    }

    /// <summary>Disposes the module.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _module.Dispose();
        }
    }

    private static long[] ExampleShapeOf(ModelSpec spec, string statePath)
    {
        if (!string.Equals(spec.Kind, "mlp", StringComparison.OrdinalIgnoreCase))
        {
            var size = spec.ImageSize ?? DefaultImageSize;
            return [spec.InputChannels ?? DefaultInputChannels, size, size];
        }

        var shapes = SafetensorsHeader.ReadShapes(statePath);
        if (!shapes.TryGetValue(MlpFirstWeight, out var weight) || weight.Length != 2 || weight[1] < 1)
            throw new InvalidDataException($"'{statePath}' is not an mlp's state dict: it has no [hidden, inputs] tensor '{MlpFirstWeight}'.");
        return [weight[1]];
    }
}
