namespace FedDistill.Serving;

/// <summary>
/// A student that turns a batch of examples into logits: what the server needs of a model, so
/// that batching and HTTP do not depend on how it runs (TorchSharp, ONNX Runtime, a test fake).
/// </summary>
/// <remarks>
/// <see cref="Batching.DynamicBatcher"/> calls <see cref="Predict"/> from one loop, one batch at a
/// time; an implementation need not be thread-safe for that use, though both shipped ones are.
/// The caller of an implementation's constructor owns it (and disposes it when it is disposable);
/// the server never does.
/// </remarks>
public interface IStudentModel
{
    /// <summary>
    /// The shape of one example without the batch dimension, e.g. [1, 28, 28] for Fashion-MNIST
    /// images or [30] for a table of 30 features. Requests send each example flattened in
    /// row-major order, so an example has the product of these many values. Do not modify.
    /// </summary>
    long[] ExampleShape { get; }

    /// <summary>The number of logits per example (classes), at least 1.</summary>
    int Classes { get; }

    /// <summary>Runs the student on <paramref name="batchSize"/> examples.</summary>
    /// <param name="batch">
    /// The examples back to back, each flattened row-major: exactly
    /// <paramref name="batchSize"/> × (product of <see cref="ExampleShape"/>) values. The model
    /// reads it during the call only and does not modify it.
    /// </param>
    /// <param name="batchSize">The number of examples, at least 1.</param>
    /// <returns>
    /// A new array of <paramref name="batchSize"/> × <see cref="Classes"/> logits, example by
    /// example, owned by the caller.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="batch"/> does not hold <paramref name="batchSize"/> examples.</exception>
    float[] Predict(float[] batch, int batchSize);
}
