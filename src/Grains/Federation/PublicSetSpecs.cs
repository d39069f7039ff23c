using FedDistill.Distillation.Federated;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Federation;

/// <summary>Turns the wire's <see cref="PublicSetSpec"/> into what the distillation engine builds.</summary>
public static class PublicSetSpecs
{
    /// <summary>The engine's definition of the same public set.</summary>
    public static PublicSetDefinition ToDefinition(this PublicSetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new PublicSetDefinition(spec.Source, spec.Start, spec.Count, spec.AugmentedCopies, spec.AugmentationSeed);
    }
}
