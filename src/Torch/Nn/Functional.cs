using FedDistill.Torch.Interop;

namespace FedDistill.Torch.Nn;

/// <summary>
/// Stateless neural-network functions (as <c>torch.nn.functional</c>): layers without parameters
/// of their own, activations and losses. Every function returns a new tensor owned by the caller
/// (or the current <see cref="DisposeScope"/>).
/// </summary>
public static unsafe class Functional
{
    /// <summary>x · weightᵀ + bias, for x of shape [..., in] and weight [out, in].</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        var status = NativeMethods.fd_linear(input.Handle, weight.Handle, bias?.Handle ?? TensorHandle.Null, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>2-D convolution of [N, C, H, W] input with [out, C/groups, kH, kW] weights.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, (long Height, long Width)? stride = null,
        (long Height, long Width)? padding = null, (long Height, long Width)? dilation = null, long groups = 1)
    {
        var s = stride ?? (1, 1);
        var p = padding ?? (0, 0);
        var d = dilation ?? (1, 1);
        long* strides = stackalloc long[] { s.Height, s.Width };
        long* paddings = stackalloc long[] { p.Height, p.Width };
        long* dilations = stackalloc long[] { d.Height, d.Width };
        var status = NativeMethods.fd_conv2d(input.Handle, weight.Handle, bias?.Handle ?? TensorHandle.Null, strides, paddings, dilations, groups, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>Max pooling over square windows; the stride defaults to the kernel size.</summary>
    public static Tensor MaxPool2d(Tensor input, long kernelSize, long? stride = null, long padding = 0)
    {
        var st = stride ?? kernelSize;
        long* kernel = stackalloc long[] { kernelSize, kernelSize };
        long* strides = stackalloc long[] { st, st };
        long* paddings = stackalloc long[] { padding, padding };
        var status = NativeMethods.fd_max_pool2d(input.Handle, kernel, strides, paddings, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>Average pooling over square windows; the stride defaults to the kernel size.</summary>
    public static Tensor AvgPool2d(Tensor input, long kernelSize, long? stride = null, long padding = 0)
    {
        var st = stride ?? kernelSize;
        long* kernel = stackalloc long[] { kernelSize, kernelSize };
        long* strides = stackalloc long[] { st, st };
        long* paddings = stackalloc long[] { padding, padding };
        var status = NativeMethods.fd_avg_pool2d(input.Handle, kernel, strides, paddings, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>Average pooling to a fixed output size whatever the input size.</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, long outputHeight, long outputWidth)
    {
        long* size = stackalloc long[] { outputHeight, outputWidth };
        var status = NativeMethods.fd_adaptive_avg_pool2d(input.Handle, size, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>
    /// Batch normalization. In training it normalizes with batch statistics and updates the
    /// running statistics in place (momentum as PyTorch: new = (1-m)·old + m·batch).
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        var status = NativeMethods.fd_batch_norm(input.Handle, weight?.Handle ?? TensorHandle.Null, bias?.Handle ?? TensorHandle.Null,
            runningMean?.Handle ?? TensorHandle.Null, runningVar?.Handle ?? TensorHandle.Null, training ? 1 : 0, momentum, eps, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>Layer normalization over the trailing <paramref name="normalizedShape"/> dimensions.</summary>
    public static Tensor LayerNorm(Tensor input, ReadOnlySpan<long> normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        fixed (long* shape = normalizedShape)
        {
            var status = NativeMethods.fd_layer_norm(input.Handle, shape, normalizedShape.Length, weight?.Handle ?? TensorHandle.Null,
                bias?.Handle ?? TensorHandle.Null, eps, out var result);
            return Tensor.FromNative(status, result);
        }
    }

    /// <summary>Zeroes elements with probability <paramref name="p"/> and rescales the rest by 1/(1-p) when training; identity otherwise.</summary>
    public static Tensor Dropout(Tensor input, double p = 0.5, bool training = true)
    {
        var status = NativeMethods.fd_dropout(input.Handle, p, training ? 1 : 0, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor input)
    {
        var status = NativeMethods.fd_unary((int)UnaryOp.Relu, input.Handle, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>Gaussian error linear unit (exact erf form).</summary>
    public static Tensor Gelu(Tensor input)
    {
        var status = NativeMethods.fd_unary((int)UnaryOp.Gelu, input.Handle, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>Softmax along <paramref name="dimension"/>.</summary>
    public static Tensor Softmax(Tensor input, long dimension)
    {
        var status = NativeMethods.fd_softmax(input.Handle, dimension, 0, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>log(softmax(x)) along <paramref name="dimension"/>, computed stably in one kernel.</summary>
    public static Tensor LogSoftmax(Tensor input, long dimension)
    {
        var status = NativeMethods.fd_softmax(input.Handle, dimension, 1, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>
    /// Cross entropy between logits [N, C] and targets: int64 class indices [N], or class
    /// probabilities [N, C]. <paramref name="labelSmoothing"/> in [0, 1] mixes the target with the
    /// uniform distribution. Examples whose label is <paramref name="ignoreIndex"/> are skipped.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? classWeights = null, Reduction reduction = Reduction.Mean,
        long ignoreIndex = -100, double labelSmoothing = 0.0)
    {
        RequireStandardReduction(reduction);
        var status = NativeMethods.fd_cross_entropy(logits.Handle, target.Handle, classWeights?.Handle ?? TensorHandle.Null, (int)reduction,
            ignoreIndex, labelSmoothing, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>Negative log-likelihood of int64 targets under log-probabilities [N, C].</summary>
    public static Tensor NllLoss(Tensor logProbabilities, Tensor target, Tensor? classWeights = null, Reduction reduction = Reduction.Mean,
        long ignoreIndex = -100)
    {
        RequireStandardReduction(reduction);
        var status = NativeMethods.fd_nll_loss(logProbabilities.Handle, target.Handle, classWeights?.Handle ?? TensorHandle.Null, (int)reduction,
            ignoreIndex, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>
    /// KL(target ‖ input) as <c>torch.nn.functional.kl_div</c>: <paramref name="input"/> holds
    /// log-probabilities; <paramref name="target"/> probabilities (or log-probabilities when
    /// <paramref name="logTarget"/>). Use <see cref="Reduction.BatchMean"/> for the per-example KL.
    /// </summary>
    public static Tensor KlDiv(Tensor input, Tensor target, Reduction reduction = Reduction.BatchMean, bool logTarget = false)
    {
        var status = NativeMethods.fd_kl_div(input.Handle, target.Handle, (int)reduction, logTarget ? 1 : 0, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>Mean squared error.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        RequireStandardReduction(reduction);
        var status = NativeMethods.fd_mse_loss(input.Handle, target.Handle, (int)reduction, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>Cosine similarity along <paramref name="dimension"/>, with norms floored at <paramref name="eps"/>.</summary>
    public static Tensor CosineSimilarity(Tensor a, Tensor b, long dimension = 1, double eps = 1e-8)
    {
        var status = NativeMethods.fd_cosine_similarity(a.Handle, b.Handle, dimension, eps, out var result);
        return Tensor.FromNative(status, result);
    }

    /// <summary>Pairwise Euclidean distances between the rows of a [n, d] and b [m, d]: [n, m].</summary>
    public static Tensor PairwiseDistance(Tensor a, Tensor b)
    {
        var status = NativeMethods.fd_cdist(a.Handle, b.Handle, out var result);
        return Tensor.FromNative(status, result);
    }

    private static void RequireStandardReduction(Reduction reduction)
    {
        if (reduction is not (Reduction.None or Reduction.Mean or Reduction.Sum))
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "This loss supports None, Mean and Sum; BatchMean is for KL divergence.");
    }
}
