namespace FedDistill.Torch.Tests.Runtime;

/// <summary>
/// Tests that change or depend on process-wide libtorch state (the random seed, the thread
/// count) or on the process's memory: xunit runs this collection alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchStateCollection
{
    public const string Name = "Global torch state";
}
