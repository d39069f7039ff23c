using System.CommandLine;
using FedDistill.Client.Operator;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Commands;

/// <summary>The <c>feddistill federation</c> commands: what the aggregator says of its federation.</summary>
/// <remarks>Exit codes: see <see cref="OperatorExitCodes"/> and docs/console.md.</remarks>
public static class FederationCommand
{
    /// <summary>Builds <c>federation</c> with its <c>show</c> subcommand.</summary>
    public static Command Create() => new("federation", "The federation the aggregator runs.")
    {
        OperatorCommand.Create("show", "Show the federation: name, public set and its fingerprint, student model, newest student.", "federation show", [],
            async (_, session, cancellationToken) =>
            {
                var info = await session.Aggregator.GetFederationAsync(cancellationToken).ConfigureAwait(false);
                session.Write(info, ProtocolJsonContext.Default.FederationInfo, FederationText.Describe);
                return OperatorExitCodes.Succeeded;
            }),
    };
}
