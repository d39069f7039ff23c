using FedDistill.Torch.Interop;

namespace FedDistill.Torch.Optimizers;

/// <summary>
/// A libtorch optimizer updating a fixed set of parameters in place. The optimizer keeps its own
/// references to the parameters (they stay valid if the module is disposed first) and its state
/// (momentum, Adam moments) in native memory, freed by <see cref="Dispose"/>.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly OptimizerHandle _handle;
    private double _learningRate;

    private protected Optimizer(OptimizerHandle handle, double learningRate)
    {
        _handle = handle;
        _learningRate = learningRate;
    }

    private protected static unsafe OptimizerHandle Create(IEnumerable<Tensor> parameters, Func<IntPtr[], (int Status, IntPtr Result)> create)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        if (list.Count == 0) throw new ArgumentException("An optimizer needs at least one parameter.", nameof(parameters));
        var (status, result) = create(Tensor.RawHandles(list));
        GC.KeepAlive(list);
        NativeMethods.Check(status);
        return new OptimizerHandle(result);
    }

    /// <summary>The learning rate of every parameter group; schedules set it each step.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            NativeMethods.Check(NativeMethods.fd_optimizer_set_lr(_handle, value));
            _learningRate = value;
        }
    }

    /// <summary>Applies one update from the parameters' current gradients (parameters without a gradient are skipped).</summary>
    public void Step() => NativeMethods.Check(NativeMethods.fd_optimizer_step(_handle));

    /// <summary>Drops the gradients of every parameter (PyTorch's set_to_none behaviour).</summary>
    public void ZeroGrad() => NativeMethods.Check(NativeMethods.fd_optimizer_zero_grad(_handle));

    /// <summary>Frees the optimizer's native state.</summary>
    public void Dispose()
    {
        _handle.Dispose();
        GC.SuppressFinalize(this);
    }
}
