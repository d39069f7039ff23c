namespace FedDistill.Serving.Endpoints;

/// <summary>A prediction request's examples, read and checked by <see cref="PredictionRequestReader"/>.</summary>
/// <param name="Inputs">The examples back to back, each flattened row-major: <paramref name="Count"/> × the example length values, all finite.</param>
/// <param name="Count">The number of examples, at least 1.</param>
public sealed record PredictionRequest(ReadOnlyMemory<float> Inputs, int Count);
