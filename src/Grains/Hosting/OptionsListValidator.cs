using Microsoft.Extensions.Options;

namespace FedDistill.Grains.Hosting;

/// <summary>
/// Adapts an options type's own <c>Validate()</c> (a list of messages naming each setting) to
/// <see cref="IValidateOptions{TOptions}"/>, so that <c>ValidateOnStart</c> fails with all of them.
/// </summary>
/// <typeparam name="TOptions">The options type.</typeparam>
public sealed class OptionsListValidator<TOptions>(Func<TOptions, IReadOnlyList<string>> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
