using System.CommandLine;

namespace FedDistill.Client.Operator;

/// <summary>Builds an operator command: its own arguments and options, the shared connection options, and an action run by <see cref="OperatorRunner"/>.</summary>
public static class OperatorCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="name">The command's name, e.g. <c>start</c>.</param>
    /// <param name="description">What it does, for <c>--help</c>.</param>
    /// <param name="fullName">Its full name for messages, e.g. <c>rounds start</c>.</param>
    /// <param name="symbols">Its own arguments and options.</param>
    /// <param name="action">Its work: returns the exit code; throws what <see cref="OperatorRunner"/> maps to one.</param>
    public static Command Create(string name, string description, string fullName, IEnumerable<Symbol> symbols,
        Func<ParseResult, OperatorSession, CancellationToken, Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(action);
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument: command.Arguments.Add(argument); break;
                case Option option: command.Options.Add(option); break;
                default: throw new ArgumentException($"{symbol.Name} is neither an argument nor an option.", nameof(symbols));
            }
        }

        var connection = new ConnectionOptions();
        connection.AddTo(command);
        command.SetAction((parse, cancellationToken) => OperatorRunner.RunAsync(fullName, connection.Resolve(parse),
            (session, token) => action(parse, session, token), Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>A positive number argument (a round or student version).</summary>
    /// <param name="name">Its name in the usage line, e.g. <c>N</c>.</param>
    /// <param name="description">What it is.</param>
    public static Argument<int> Number(string name, string description)
    {
        var argument = new Argument<int>(name) { Description = description };
        argument.CustomParser = result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
            if (int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 1) return value;
            result.AddError($"{name} is '{token}'; it must be a whole number of at least 1.");
            return 0;
        };
        return argument;
    }
}
