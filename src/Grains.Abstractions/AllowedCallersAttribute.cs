namespace FedDistill.Grains;

/// <summary>
/// Declares who may call a grain method (or, on an interface, each of its methods that does not
/// say otherwise). Every call to a method of an interface marked with it is checked by the silo
/// that receives it; a call from anyone else is refused with <see cref="Protocol.FederationErrorKind.Forbidden"/>.
/// </summary>
/// <param name="callers">The callers allowed.</param>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method, Inherited = false)]
public sealed class AllowedCallersAttribute(FederationCallers callers) : Attribute
{
    /// <summary>The callers allowed.</summary>
    public FederationCallers Callers { get; } = callers;
}
