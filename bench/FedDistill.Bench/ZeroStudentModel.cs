using FedDistill.Serving;

namespace FedDistill.Bench;

/// <summary>
/// A student that costs nothing: zero logits for every example, with the shape and classes of a
/// real one. Served under the same load, it measures what HTTP, JSON and the batcher cost without
/// a forward pass: the most any batching could reach on the machine.
/// </summary>
/// <param name="exampleShape">The shape of one example, as the real student's.</param>
/// <param name="classes">Logits per example, as the real student's.</param>
public sealed class ZeroStudentModel(long[] exampleShape, int classes) : IStudentModel
{
    /// <inheritdoc />
    public long[] ExampleShape { get; } = exampleShape;

    /// <inheritdoc />
    public int Classes { get; } = classes;

    /// <inheritdoc />
    public float[] Predict(float[] batch, int batchSize) => new float[batchSize * Classes];
}
