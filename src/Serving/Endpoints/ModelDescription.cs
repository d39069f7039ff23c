namespace FedDistill.Serving.Endpoints;

/// <summary>
/// <c>GET /v1/model</c>: what a client needs to build requests (and a load generator to size them).
/// </summary>
/// <param name="ExampleShape">The shape of one example; requests send each example flattened row-major.</param>
/// <param name="ExampleLength">Numbers per example: the product of <paramref name="ExampleShape"/>.</param>
/// <param name="Classes">Logits per example.</param>
/// <param name="MaxExamplesPerRequest">Most examples one request may hold.</param>
/// <param name="MaxBatchSize">Most examples the student runs at once.</param>
/// <param name="MaxWaitMilliseconds">Longest a request waits for company before its batch runs.</param>
/// <param name="QueueCapacity">Requests that may wait before more are refused as overloaded.</param>
/// <param name="MaxRequestBodyBytes">The largest request body accepted.</param>
public sealed record ModelDescription(
    long[] ExampleShape,
    int ExampleLength,
    int Classes,
    int MaxExamplesPerRequest,
    int MaxBatchSize,
    double MaxWaitMilliseconds,
    int QueueCapacity,
    long MaxRequestBodyBytes);
