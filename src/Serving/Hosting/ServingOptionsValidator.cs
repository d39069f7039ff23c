using Microsoft.Extensions.Options;

namespace FedDistill.Serving.Hosting;

/// <summary>Checks <see cref="ServingOptions"/> at start (<c>ValidateOnStart</c>), failing with every problem, each naming its setting.</summary>
public sealed class ServingOptionsValidator : IValidateOptions<ServingOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
