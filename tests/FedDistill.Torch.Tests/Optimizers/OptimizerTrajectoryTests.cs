using FedDistill.Torch.Optimizers;
using FedDistill.Torch.Tests.Reference;

namespace FedDistill.Torch.Tests.Optimizers;

/// <summary>
/// Five steps of each optimizer on loss = Σ (W·x + b − y)² from the same starting point as
/// make_reference.py, compared with PyTorch's parameters after every step.
/// </summary>
public sealed class OptimizerTrajectoryTests
{
    private static readonly ReferenceCase Problem = ReferenceData.Case("optimizers");

    private static void AssertFollowsPyTorch(string run, Func<IReadOnlyList<Tensor>, ReferenceCase, Optimizer> create)
    {
        var reference = Problem.Child("runs").Child(run);
        using var weight = Problem.Tensor("initial_weight");
        using var bias = Problem.Tensor("initial_bias");
        using var x = Problem.Tensor("x");
        using var y = Problem.Tensor("y");
        weight.RequiresGrad = true;
        bias.RequiresGrad = true;
        using var optimizer = create([weight, bias], reference.Child("settings"));

        var step = 0;
        foreach (var expected in reference.Items("steps"))
        {
            using (var scope = DisposeScope.Enter())
            {
                optimizer.ZeroGrad();
                var residual = weight.MatMul(x) + bias - y;
                residual.Square().Sum().Backward();
                optimizer.Step();
            }
            step++;
            try
            {
                TensorAssert.Close(expected["weight"], weight, 1e-5);
                TensorAssert.Close(expected["bias"], bias, 1e-5);
            }
            catch (Exception error) when (error is Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"{run}, after step {step}: {error.Message}");
            }
        }
        Assert.Equal(5, step);
    }

    [Fact]
    public void Adam_follows_pytorchs_trajectory()
    {
        AssertFollowsPyTorch("adam", (parameters, s) => new Adam(parameters, s.Number("lr"), s.Numbers("betas")[0], s.Numbers("betas")[1],
            s.Number("eps"), s.Number("weight_decay"), s.Boolean("amsgrad")));
    }

    [Fact]
    public void Adam_with_L2_weight_decay_and_amsgrad_follows_pytorchs_trajectory()
    {
        AssertFollowsPyTorch("adam_weight_decay_amsgrad", (parameters, s) => new Adam(parameters, s.Number("lr"), s.Numbers("betas")[0],
            s.Numbers("betas")[1], s.Number("eps"), s.Number("weight_decay"), s.Boolean("amsgrad")));
    }

    [Fact]
    public void AdamW_with_decoupled_weight_decay_follows_pytorchs_trajectory()
    {
        AssertFollowsPyTorch("adamw", (parameters, s) => new AdamW(parameters, s.Number("lr"), s.Numbers("betas")[0], s.Numbers("betas")[1],
            s.Number("eps"), s.Number("weight_decay"), s.Boolean("amsgrad")));
    }

    [Fact]
    public void Sgd_with_nesterov_momentum_and_weight_decay_follows_pytorchs_trajectory()
    {
        AssertFollowsPyTorch("sgd_nesterov", (parameters, s) => new Sgd(parameters, s.Number("lr"), s.Number("momentum"),
            s.Number("dampening"), s.Number("weight_decay"), s.Boolean("nesterov")));
    }

    [Fact]
    public void Sgd_with_momentum_and_dampening_follows_pytorchs_trajectory()
    {
        AssertFollowsPyTorch("sgd_momentum_dampening", (parameters, s) => new Sgd(parameters, s.Number("lr"), s.Number("momentum"),
            s.Number("dampening"), s.Number("weight_decay"), s.Boolean("nesterov")));
    }

    [Fact]
    public void Plain_sgd_steps_by_minus_learning_rate_times_gradient()
    {
        using var w = Tensor.FromArray(new float[] { 1, -2 });
        w.RequiresGrad = true;
        using var optimizer = new Sgd([w], learningRate: 0.25);
        using (var square = w.Square())
        using (var loss = square.Sum()) loss.Backward(); // gradient 2w = [2, -4]
        optimizer.Step();
        Assert.Equal(new float[] { 0.5f, -1 }, w.ToArray<float>());
    }

    [Fact]
    public void The_first_Adam_step_moves_each_parameter_by_the_learning_rate_against_the_gradient_sign()
    {
        // With bias correction, step one is lr · g / (|g| + ε') ≈ lr · sign(g).
        using var w = Tensor.FromArray(new double[] { 3, -5, 0.5 });
        w.RequiresGrad = true;
        using var optimizer = new Adam([w], learningRate: 0.1);
        using (var square = w.Square())
        using (var loss = square.Sum()) loss.Backward();
        optimizer.Step();
        TensorAssert.Close([2.9, -4.9, 0.4], w, 1e-7);
    }

    [Fact]
    public void Setting_the_learning_rate_changes_the_next_step()
    {
        using var w = Tensor.FromArray(new float[] { 1 });
        w.RequiresGrad = true;
        using var optimizer = new Sgd([w], learningRate: 1);
        optimizer.LearningRate = 0.5;
        Assert.Equal(0.5, optimizer.LearningRate);
        using (var doubled = w * 2)
        using (var loss = doubled.Sum()) loss.Backward(); // gradient 2
        optimizer.Step();
        Assert.Equal(new float[] { 0 }, w.ToArray<float>());
    }

    [Fact]
    public void ZeroGrad_drops_the_gradients_so_a_step_without_backward_changes_nothing()
    {
        using var w = Tensor.FromArray(new float[] { 1, 2 });
        w.RequiresGrad = true;
        using var optimizer = new Sgd([w], learningRate: 0.1, momentum: 0.9);
        using (var loss = w.Sum()) loss.Backward();
        optimizer.ZeroGrad();
        Assert.Null(w.Grad);
        optimizer.Step();
        Assert.Equal(new float[] { 1, 2 }, w.ToArray<float>());
    }

    [Fact]
    public void Impossible_settings_are_rejected()
    {
        using var w = Tensor.Zeros([1]);
        w.RequiresGrad = true;
        Assert.Throws<TorchException>(() => new Sgd([w], learningRate: 0.1, nesterov: true));
        Assert.Throws<TorchException>(() => new Sgd([w], learningRate: -1));
        Assert.Throws<TorchException>(() => new Adam([w], beta1: 1.0));
        Assert.Throws<ArgumentException>(() => new Adam([]));
    }
}
