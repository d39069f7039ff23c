namespace FedDistill.Serving.Tests;

/// <summary>Tests that seed libtorch's global generator run one at a time so their draws stay reproducible.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGlobalState
{
    public const string Name = "libtorch global state";
}
