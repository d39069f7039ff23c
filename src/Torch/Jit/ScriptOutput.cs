namespace FedDistill.Torch.Jit;

/// <summary>One output of a TorchScript forward: its name when forward returned a dict, and the tensor (owned by the caller).</summary>
public sealed record ScriptOutput(string? Name, Tensor Value);
