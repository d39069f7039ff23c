using System.Text.Json;
using System.Text.RegularExpressions;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// Re-paths the messages of the library's own validators (which name settings as
/// <c>TrainerOptions.Epochs</c>) to the configuration keys a user typed (<c>$.trainer.epochs</c>).
/// </summary>
internal static class ErrorPaths
{
    /// <summary>
    /// Replaces every <c>TypeName.Property</c> in <paramref name="message"/> with
    /// <c>path.property</c> (camelCase); a message that names no property is prefixed with the path.
    /// </summary>
    public static string Rewrite(string message, string typeName, string path)
    {
        var rewritten = Regex.Replace(message, $@"\b{Regex.Escape(typeName)}\.([A-Z]\w*)",
            match => path + "." + JsonNamingPolicy.CamelCase.ConvertName(match.Groups[1].Value));
        return rewritten == message ? $"{path}: {message}" : rewritten;
    }

    /// <summary>The message of an <see cref="ArgumentException"/> without the " (Parameter 'x')" that .NET appends.</summary>
    public static string MessageOf(ArgumentException exception)
    {
        var message = exception.Message;
        var suffix = $" (Parameter '{exception.ParamName}')";
        return exception.ParamName is not null && message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }
}
