using System.Runtime.InteropServices;
using FedDistill.Torch.Interop;
using FedDistill.Torch.Nn;

namespace FedDistill.Torch.Jit;

/// <summary>
/// A TorchScript module (made by <c>torch.jit.script(model).save(path)</c> in PyTorch) loaded
/// through libtorch: it runs forward, exposes its parameters for training with our optimizers,
/// and saves back to a file PyTorch's <c>torch.jit.load</c> reads.
/// </summary>
/// <remarks>
/// A module whose forward returns a dict of str to tensor (or a tuple) exposes every output
/// through <see cref="ForwardAll"/>; <see cref="Forward"/> returns the first (or the one named
/// "logits" when present), so such a module can serve as a teacher that also exposes features.
/// </remarks>
public sealed class ScriptModule : Module
{
    private const int MaximumOutputs = 64;
    private readonly ScriptModuleHandle _handle;
    private List<KeyValuePair<string, Tensor>> _parameters = new();
    private List<KeyValuePair<string, Tensor>> _buffers = new();

    private ScriptModule(ScriptModuleHandle handle)
    {
        _handle = handle;
        RefreshNamedTensors();
    }

    /// <summary>Loads a TorchScript file onto <paramref name="device"/> (CPU by default).</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="TorchException">libtorch cannot read it as TorchScript.</exception>
    public static ScriptModule Load(string path, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No TorchScript file at '{path}'.", path);
        var target = device ?? Device.Cpu;
        NativeMethods.Check(NativeMethods.fd_script_load(path, (int)target.Type, target.Index, out var result));
        return new ScriptModule(new ScriptModuleHandle(result));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var outputs = ForwardAll(input);
        var chosen = outputs.FirstOrDefault(output => output.Name == "logits") ?? outputs[0];
        foreach (var output in outputs)
            if (!ReferenceEquals(output, chosen)) output.Value.Dispose();
        return chosen.Value;
    }

    /// <summary>
    /// Runs forward and returns every output tensor in order, named when forward returned a dict
    /// (null names otherwise). The caller owns the tensors.
    /// </summary>
    public unsafe IReadOnlyList<ScriptOutput> ForwardAll(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var handles = Tensor.RawHandles(inputs);
        var outputs = stackalloc IntPtr[MaximumOutputs];
        int count;
        fixed (IntPtr* inputPointer = handles)
        {
            var status = NativeMethods.fd_script_forward(_handle, inputPointer, handles.Length, outputs, MaximumOutputs, out count);
            GC.KeepAlive(inputs);
            NativeMethods.Check(status);
        }
        var result = new ScriptOutput[count];
        for (var i = 0; i < count; i++)
        {
            var name = Marshal.PtrToStringUTF8(NativeMethods.fd_script_output_name(i));
            result[i] = new ScriptOutput(string.IsNullOrEmpty(name) ? null : name, Tensor.FromNative(0, outputs[i]));
        }
        return result;
    }

    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, Tensor>> NamedParameters() => _parameters;

    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers() => _buffers;

    /// <inheritdoc />
    public override void Train(bool training = true)
    {
        NativeMethods.Check(NativeMethods.fd_script_train(_handle, training ? 1 : 0));
        base.Train(training);
    }

    /// <summary>Saves the module, with its current parameter values, as TorchScript.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        NativeMethods.Check(NativeMethods.fd_script_save(_handle, temporary));
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Moves the module's parameters and buffers to <paramref name="device"/>; earlier parameter handles (and optimizers built on them) no longer apply.</summary>
    public void To(Device device)
    {
        NativeMethods.Check(NativeMethods.fd_script_to(_handle, (int)device.Type, device.Index));
        RefreshNamedTensors();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DisposeNamedTensors();
            _handle.Dispose();
        }
        base.Dispose(disposing);
    }

    private void RefreshNamedTensors()
    {
        DisposeNamedTensors();
        _parameters = ReadNamedTensors(kind: 0);
        _buffers = ReadNamedTensors(kind: 1);
    }

    private List<KeyValuePair<string, Tensor>> ReadNamedTensors(int kind)
    {
        NativeMethods.Check(NativeMethods.fd_script_named_tensors(_handle, kind, out var count));
        var list = new List<KeyValuePair<string, Tensor>>(count);
        for (var i = 0; i < count; i++)
        {
            NativeMethods.Check(NativeMethods.fd_script_named_tensor(_handle, kind, i, out var name, out var tensor));
            list.Add(new(Marshal.PtrToStringUTF8(name)!, Tensor.FromNative(0, tensor).DetachFromDisposeScope()));
        }
        return list;
    }

    private void DisposeNamedTensors()
    {
        foreach (var pair in _parameters) pair.Value.Dispose();
        foreach (var pair in _buffers) pair.Value.Dispose();
    }
}
