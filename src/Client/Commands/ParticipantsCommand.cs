using System.CommandLine;
using FedDistill.Client.Operator;
using FedDistill.Grains.Protocol;
using FedDistill.Security;

namespace FedDistill.Client.Commands;

/// <summary>The <c>feddistill participants</c> commands: list, admit and remove organizations (admin).</summary>
/// <remarks>Exit codes: see <see cref="OperatorExitCodes"/> and docs/console.md.</remarks>
public static class ParticipantsCommand
{
    /// <summary>Builds <c>participants</c> with <c>list</c>, <c>add</c> and <c>remove</c>.</summary>
    public static Command Create() => new("participants", "The federation's participants (organizations).")
    {
        List(), Add(), Remove(),
    };

    private static Command List() =>
        OperatorCommand.Create("list", "List the participants with their last report: status, round, progress, teachers, last seen.", "participants list", [],
            async (_, session, cancellationToken) =>
            {
                var participants = (await (await session.AggregatorAsync(cancellationToken)).ListParticipantsAsync().WaitAsync(cancellationToken)).ToList();
                session.Write(participants, ProtocolJsonContext.Default.ListParticipantInfo, FederationText.Participants);
                return OperatorExitCodes.Succeeded;
            });

    private static Command Add()
    {
        var id = new Argument<string>("ID") { Description = $"The participant id, the common name of its certificate ({FederationNames.IdentityNamePattern})." };
        var name = new Option<string?>("--name") { Description = "A human name, e.g. \"Lakeside General\" (default: the id)." };
        return OperatorCommand.Create("add", "Admit an organization (its silo then needs its certificate: feddistill admin issue silo --site ID).", "participants add", [id, name],
            async (parse, session, cancellationToken) =>
            {
                var participantId = ParticipantId(parse.GetValue(id));
                var displayName = parse.GetValue(name);
                if (displayName is not null && string.IsNullOrWhiteSpace(displayName)) throw new OperatorUsageException("--name is blank; give a human name or leave it out.");
                var admitted = await (await session.AggregatorAsync(cancellationToken)).AdmitAsync(new RegisterParticipantRequest(participantId, displayName)).WaitAsync(cancellationToken);
                session.Write(admitted, ProtocolJsonContext.Default.ParticipantInfo, participant =>
                    $"Admitted '{participant.ParticipantId}' ({participant.DisplayName}). Its silo joins with a certificate from 'feddistill admin issue silo --site {participant.ParticipantId}'.");
                return OperatorExitCodes.Succeeded;
            });
    }

    private static Command Remove()
    {
        var id = new Argument<string>("ID") { Description = "The participant id." };
        return OperatorCommand.Create("remove", "Remove an organization; its accepted uploads stay in their rounds.", "participants remove", [id],
            async (parse, session, cancellationToken) =>
            {
                var participantId = ParticipantId(parse.GetValue(id));
                await (await session.AggregatorAsync(cancellationToken)).RemoveParticipantAsync(participantId).WaitAsync(cancellationToken);
                session.Write(new ParticipantRemoval(participantId, true), OperatorJsonContext.Default.ParticipantRemoval, removal =>
                    $"Removed '{removal.ParticipantId}'; its accepted uploads stay in their rounds.");
                return OperatorExitCodes.Succeeded;
            });
    }

    private static string ParticipantId(string? value) =>
        FederationNames.ValidateParticipantId(value) is { } problem ? throw new OperatorUsageException($"ID: {problem}") : value!;
}
