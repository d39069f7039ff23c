using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Models;

/// <summary>
/// A TorchScript module (written by PyTorch's <c>torch.jit.save</c> or by FedDistill) as a model
/// of the zoo: an <c>nn.Module&lt;Tensor, Tensor&gt;</c> the trainer, evaluator and ensembles take
/// like any other, whose parameters train in place and which saves back to TorchScript.
/// </summary>
/// <remarks>
/// TorchSharp's <c>jit.ScriptModule&lt;Tensor, Tensor&gt;</c> is not an <c>nn.Module&lt;Tensor, Tensor&gt;</c>,
/// so this wrapper owns it as its only child (named <c>script</c>) and forwards to it.
/// </remarks>
public sealed class TorchScriptModel : nn.Module<Tensor, Tensor>
{
    private readonly jit.ScriptModule<Tensor, Tensor> script;

    private TorchScriptModel(jit.ScriptModule<Tensor, Tensor> script) : base(nameof(TorchScriptModel))
    {
        this.script = script;
        RegisterComponents();
    }

    /// <summary>The file the module was loaded from.</summary>
    public required string SourcePath { get; init; }

    /// <summary>
    /// Loads the TorchScript file at <paramref name="path"/> in evaluation mode, on
    /// <paramref name="device"/> (the CPU when null). The caller owns the result.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">libtorch cannot read the file as TorchScript.</exception>
    public static TorchScriptModel Load(string path, Device? device = null) =>
        new(ModelFiles.LoadTorchScript(path, device)) { SourcePath = path };

    /// <summary>Saves the module, with its current parameters, as TorchScript that PyTorch 1.13 and later load.</summary>
    public void Save(string path) => ModelFiles.SaveTorchScript(script, path);

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => script.forward(input);

    /// <summary>Frees the TorchScript module.</summary>
    /// <remarks>
    /// TorchSharp's base implementation walks <c>named_modules()</c> lazily while disposing, and so
    /// asks the already disposed script module for its children (ObjectDisposedException). The
    /// script module is this wrapper's only native state worth freeing at once; the wrapper's own
    /// empty module handle is a SafeHandle that its finalizer releases.
    /// </remarks>
    protected override void Dispose(bool disposing)
    {
        if (disposing) script.Dispose();
    }
}
