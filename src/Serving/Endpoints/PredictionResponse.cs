namespace FedDistill.Serving.Endpoints;

/// <summary>The answer to <c>POST /v1/predict</c>: per example, in the order sent, its logits and the index of the largest.</summary>
/// <param name="Logits">One array of class logits per example.</param>
/// <param name="Predictions">The predicted class per example: the index of its largest logit (the first, on a tie).</param>
public sealed record PredictionResponse(float[][] Logits, int[] Predictions);
