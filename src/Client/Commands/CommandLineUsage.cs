using System.CommandLine;
using System.CommandLine.Parsing;
using FedDistill.Client.Operator;

namespace FedDistill.Client.Commands;

/// <summary>
/// Runs a parsed command line; a line that does not parse (an unknown option, a value of the wrong
/// type or out of the allowed set) exits <see cref="OperatorExitCodes.InvalidUsage"/> with every
/// error on standard error, as every command documents.
/// </summary>
public static class CommandLineUsage
{
    /// <summary>Invokes the parse result's action, or reports its errors and returns 2.</summary>
    public static async Task<int> InvokeAsync(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.Errors.Count == 0) return await parse.InvokeAsync().ConfigureAwait(false);
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is CommandResult parent; result = parent) names.Insert(0, result.Command.Name);
        var command = string.Join(' ', names.Prepend("feddistill"));
        foreach (var error in parse.Errors) Console.Error.WriteLine($"{command}: {error.Message}");
        var group = parse.CommandResult.Command;
        if (group.Action is null && group.Subcommands.Count > 0)
        {
            // A group named without one of its commands (`feddistill rounds`): its help lists them.
            await parse.RootCommandResult.Command.Parse([.. names, "--help"]).InvokeAsync().ConfigureAwait(false);
        }
        else
        {
            Console.Error.WriteLine($"See '{command} --help'.");
        }

        return OperatorExitCodes.InvalidUsage;
    }
}
