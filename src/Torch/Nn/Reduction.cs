namespace FedDistill.Torch.Nn;

/// <summary>How a loss combines per-element values; numeric values are the ABI's <c>fd_reduction</c>.</summary>
public enum Reduction
{
    /// <summary>No reduction: one value per element (or example).</summary>
    None = 0,
    /// <summary>Mean over elements (cross entropy: over examples, weighted when class weights are given).</summary>
    Mean = 1,
    /// <summary>Sum over elements.</summary>
    Sum = 2,
    /// <summary>Sum divided by the batch size: the true mean KL divergence per example. KL only.</summary>
    BatchMean = 3,
}
