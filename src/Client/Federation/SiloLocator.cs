using System.Reflection;

namespace FedDistill.Client.Federation;

/// <summary>Finds <c>feddistill-silo.dll</c>, which the build puts next to the repository's Silo project.</summary>
public static class SiloLocator
{
    /// <summary>The environment variable that overrides the location.</summary>
    public const string EnvironmentVariable = "FEDDISTILL_SILO";

    /// <summary>The silo assembly's path: <c>$FEDDISTILL_SILO</c>, else the one built with this console.</summary>
    /// <exception cref="FileNotFoundException">Neither exists.</exception>
    public static string Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return File.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment)
                : throw new FileNotFoundException($"{EnvironmentVariable} names {fromEnvironment}, which does not exist.", fromEnvironment);
        }

        var built = typeof(SiloLocator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "FedDistillSiloAssembly")?.Value;
        if (built is not null && File.Exists(built)) return built;
        throw new FileNotFoundException($"feddistill-silo.dll was not found at {built ?? "(unknown)"}; build the solution (./run build) or set {EnvironmentVariable}.");
    }
}
