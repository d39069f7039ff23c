using F = FedDistill.Torch.Nn.Functional;

namespace FedDistill.Torch.Tests.Autograd;

/// <summary>
/// Gradients from <see cref="Tensor.Backward"/> against central finite differences
/// (f(θ + h) − f(θ − h)) / 2h computed in float64, whose error is O(h²) plus rounding O(ε/h).
/// </summary>
public sealed class FiniteDifferenceTests
{
    private const double Step = 1e-6;

    // x [3, 4], W [4, 5], b [5], t [3, 5]: fixed values, no randomness.
    private static readonly double[] X = Enumerable.Range(0, 12).Select(i => Math.Round(Math.Sin(0.9 * i + 0.3), 3)).ToArray();
    private static readonly double[] W = Enumerable.Range(0, 20).Select(i => Math.Round(0.8 * Math.Cos(0.55 * i), 3)).ToArray();
    private static readonly double[] B = [0.1, -0.2, 0.05, 0.3, -0.1];
    private static readonly double[] T = Enumerable.Range(0, 15).Select(i => (i * 7 % 5) / 4.0 - 0.3).ToArray();

    /// <summary>f = Σ log_softmax(x·W + b)·t + 0.5·Σ tanh(x·W)² + mean(sigmoid(x)), all in float64.</summary>
    private static Tensor Objective(Tensor x, Tensor w, Tensor b, Tensor t)
    {
        using var scope = DisposeScope.Enter();
        var logits = x.MatMul(w);
        var shifted = logits + b;
        var logProbabilities = F.LogSoftmax(shifted, 1);
        var weighted = (logProbabilities * t).Sum();
        var squashed = logits.Tanh().Square().Sum() * 0.5;
        var gate = x.Sigmoid().Mean();
        return scope.MoveToOuter(weighted + squashed + gate);
    }

    private static double Evaluate(double[] x, double[] w, double[] b)
    {
        using var scope = DisposeScope.Enter();
        return Objective(Tensor.FromArray(x, 3, 4), Tensor.FromArray(w, 4, 5), Tensor.FromArray(b, 5), Tensor.FromArray(T, 3, 5)).Item();
    }

    private static double[] CentralDifferences(double[] values, Func<double[], double> f)
    {
        var gradient = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var plus = (double[])values.Clone();
            var minus = (double[])values.Clone();
            plus[i] += Step;
            minus[i] -= Step;
            gradient[i] = (f(plus) - f(minus)) / (2 * Step);
        }
        return gradient;
    }

    [Fact]
    public void Backward_through_matmul_log_softmax_tanh_and_sigmoid_matches_central_differences()
    {
        using var x = Tensor.FromArray(X, 3, 4);
        using var w = Tensor.FromArray(W, 4, 5);
        using var b = Tensor.FromArray(B, 5);
        using var t = Tensor.FromArray(T, 3, 5);
        x.RequiresGrad = true;
        w.RequiresGrad = true;
        b.RequiresGrad = true;
        using (var loss = Objective(x, w, b, t))
        {
            Assert.Equal(DType.Float64, loss.DType);
            Assert.Equal(Evaluate(X, W, B), loss.Item(), 12);
            loss.Backward();
        }

        using var gradX = x.Grad!;
        using var gradW = w.Grad!;
        using var gradB = b.Grad!;
        TensorAssert.Close(CentralDifferences(X, v => Evaluate(v, W, B)), gradX, 1e-6);
        TensorAssert.Close(CentralDifferences(W, v => Evaluate(X, v, B)), gradW, 1e-6);
        TensorAssert.Close(CentralDifferences(B, v => Evaluate(X, W, v)), gradB, 1e-6);
    }

    // input [1, 1, 4, 4], kernel [2, 1, 3, 3] with padding 1, 2×2 max pool, MSE against a fixed target.
    private static readonly double[] Image = Enumerable.Range(0, 16).Select(i => Math.Round(Math.Sin(1.3 * i), 3)).ToArray();
    private static readonly double[] Kernel = Enumerable.Range(0, 18).Select(i => Math.Round(0.5 * Math.Cos(0.7 * i + 0.2), 3)).ToArray();
    private static readonly double[] PoolTarget = [0.1, -0.2, 0.3, 0.0, 0.5, -0.5, 0.2, 0.1];

    private static Tensor ConvolutionObjective(Tensor image, Tensor kernel)
    {
        using var scope = DisposeScope.Enter();
        var convolved = F.Conv2d(image, kernel, padding: (1, 1));
        var pooled = F.MaxPool2d(convolved, 2);
        return scope.MoveToOuter(F.MseLoss(pooled.Flatten(), Tensor.FromArray(PoolTarget)));
    }

    private static double EvaluateConvolution(double[] image, double[] kernel)
    {
        using var scope = DisposeScope.Enter();
        return ConvolutionObjective(Tensor.FromArray(image, 1, 1, 4, 4), Tensor.FromArray(kernel, 2, 1, 3, 3)).Item();
    }

    [Fact]
    public void Backward_through_conv2d_max_pool_and_mse_matches_central_differences()
    {
        using var image = Tensor.FromArray(Image, 1, 1, 4, 4);
        using var kernel = Tensor.FromArray(Kernel, 2, 1, 3, 3);
        image.RequiresGrad = true;
        kernel.RequiresGrad = true;
        using (var loss = ConvolutionObjective(image, kernel)) loss.Backward();

        using var gradImage = image.Grad!;
        using var gradKernel = kernel.Grad!;
        TensorAssert.Close(CentralDifferences(Image, v => EvaluateConvolution(v, Kernel)), gradImage, 1e-6);
        TensorAssert.Close(CentralDifferences(Kernel, v => EvaluateConvolution(Image, v)), gradKernel, 1e-6);
    }
}
