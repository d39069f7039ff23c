namespace FedDistill.Serving.Onnx;

/// <summary>How <see cref="OnnxStudent"/> sets up its ONNX Runtime session.</summary>
public sealed record OnnxStudentOptions
{
    /// <summary>
    /// Threads one Run call may use inside an operator (ONNX Runtime's intra-op pool); 0 lets
    /// ONNX Runtime choose (one per physical core). Concurrent Run calls share the pool.
    /// </summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Whether int8 matrix products use ONNX Runtime's exact kernels (session option
    /// <c>session.x64quantprecision</c>). On x86-64 CPUs without VNNI the fast uint8×int8 kernel
    /// sums pairs of products in saturating 16-bit registers, which corrupts full-range int8
    /// models such as <see cref="OnnxPrecision.Int8Qdq"/> exports (on Fashion-MNIST students it
    /// flipped about 1% of predictions); the exact kernel is somewhat slower there and changes
    /// nothing on CPUs with VNNI or for fp32 models. True unless set.
    /// </summary>
    public bool ExactInt8Kernels { get; init; } = true;
}
