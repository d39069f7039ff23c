using System.Data.Common;
using FedDistill.Grains.Persistence;

namespace FedDistill.Storage.Relational;

/// <summary>
/// The statements of <see cref="IFederationStore"/> over an open ADO.NET connection, written
/// once in the SQL that SQLite and PostgreSQL share (named <c>@parameters</c>,
/// <c>ON CONFLICT</c>, <c>LIMIT</c>). The backends own the schema, the connections and their
/// concurrency policy; the column names and meanings are the same on both.
/// </summary>
/// <remarks>
/// Every method is a single statement, so each write is atomic and commits on its own.
/// Uniqueness is left to the primary keys: an insert that collides does nothing and reports
/// zero rows, which is how "false and no change" is decided, without a check-then-insert race.
/// </remarks>
internal static class FederationQueries
{
    /// <summary>The single federation row has this id.</summary>
    private const int FederationRowId = 1;

    public static async Task<FederationRecord?> GetFederationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = Command(connection,
            "SELECT name, public_set_fingerprint, created_at, settings_json FROM federation WHERE id = @id",
            ("id", FederationRowId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new FederationRecord(
            reader.GetString(0), reader.GetString(1), StoredTime.FromColumn(reader.GetInt64(2)), reader.GetString(3));
    }

    public static async Task SaveFederationAsync(DbConnection connection, FederationRecord federation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(federation);
        await using var command = Command(connection,
            """
            INSERT INTO federation (id, name, public_set_fingerprint, created_at, settings_json)
            VALUES (@id, @name, @fingerprint, @created_at, @settings_json)
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name,
                public_set_fingerprint = excluded.public_set_fingerprint,
                created_at = excluded.created_at,
                settings_json = excluded.settings_json
            """,
            ("id", FederationRowId),
            ("name", federation.Name),
            ("fingerprint", federation.PublicSetFingerprint),
            ("created_at", StoredTime.ToColumn(federation.CreatedAt)),
            ("settings_json", federation.SettingsJson));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<bool> AddParticipantAsync(DbConnection connection, ParticipantRecord participant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participant);
        await using var command = Command(connection,
            """
            INSERT INTO participants (participant_id, display_name, registered_at, last_seen_at, report_json)
            VALUES (@participant_id, @display_name, @registered_at, @last_seen_at, @report_json)
            ON CONFLICT (participant_id) DO NOTHING
            """,
            ParticipantParameters(participant));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public static async Task<bool> UpdateParticipantAsync(DbConnection connection, ParticipantRecord participant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participant);
        await using var command = Command(connection,
            """
            UPDATE participants
            SET display_name = @display_name, registered_at = @registered_at,
                last_seen_at = @last_seen_at, report_json = @report_json
            WHERE participant_id = @participant_id
            """,
            ParticipantParameters(participant));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public static async Task<bool> RemoveParticipantAsync(DbConnection connection, string participantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participantId);
        await using var command = Command(connection,
            "DELETE FROM participants WHERE participant_id = @participant_id",
            ("participant_id", participantId));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public static async Task<ParticipantRecord?> GetParticipantAsync(DbConnection connection, string participantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participantId);
        await using var command = Command(connection,
            ParticipantColumns + " WHERE participant_id = @participant_id",
            ("participant_id", participantId));
        var participants = await ReadAllAsync(command, ReadParticipant, cancellationToken);
        return participants.Count == 0 ? null : participants[0];
    }

    public static async Task<IReadOnlyList<ParticipantRecord>> ListParticipantsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, ParticipantColumns);
        var participants = await ReadAllAsync(command, ReadParticipant, cancellationToken);
        // Sorted here rather than by ORDER BY: the databases compare UTF-8 bytes, .NET's ordinal
        // compares UTF-16 code units, and the two disagree on characters beyond U+FFFF.
        participants.Sort((left, right) => string.CompareOrdinal(left.ParticipantId, right.ParticipantId));
        return participants;
    }

    public static async Task<bool> AddRoundAsync(DbConnection connection, RoundRecord round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        await using var command = Command(connection,
            """
            INSERT INTO rounds (round_number, state, settings_json, opened_at, deadline, closed_at, result_json, failure_reason)
            VALUES (@round_number, @state, @settings_json, @opened_at, @deadline, @closed_at, @result_json, @failure_reason)
            ON CONFLICT (round_number) DO NOTHING
            """,
            RoundParameters(round));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public static async Task<bool> UpdateRoundAsync(DbConnection connection, RoundRecord round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        await using var command = Command(connection,
            """
            UPDATE rounds
            SET state = @state, settings_json = @settings_json, opened_at = @opened_at, deadline = @deadline,
                closed_at = @closed_at, result_json = @result_json, failure_reason = @failure_reason
            WHERE round_number = @round_number
            """,
            RoundParameters(round));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public static async Task<RoundRecord?> GetRoundAsync(DbConnection connection, int roundNumber, CancellationToken cancellationToken)
    {
        await using var command = Command(connection,
            RoundColumns + " WHERE round_number = @round_number",
            ("round_number", roundNumber));
        var rounds = await ReadAllAsync(command, ReadRound, cancellationToken);
        return rounds.Count == 0 ? null : rounds[0];
    }

    public static async Task<IReadOnlyList<RoundRecord>> ListRoundsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, RoundColumns + " ORDER BY round_number");
        return await ReadAllAsync(command, ReadRound, cancellationToken);
    }

    public static async Task<bool> AddSubmissionAsync(DbConnection connection, SubmissionRecord submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        await using var command = Command(connection,
            """
            INSERT INTO submissions (round_number, participant_id, artifact_sha256, bytes, accepted_at, metadata_json)
            VALUES (@round_number, @participant_id, @artifact_sha256, @bytes, @accepted_at, @metadata_json)
            ON CONFLICT (round_number, participant_id) DO NOTHING
            """,
            ("round_number", submission.RoundNumber),
            ("participant_id", submission.ParticipantId),
            ("artifact_sha256", submission.ArtifactSha256),
            ("bytes", submission.Bytes),
            ("accepted_at", StoredTime.ToColumn(submission.AcceptedAt)),
            ("metadata_json", submission.MetadataJson));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public static async Task<IReadOnlyList<SubmissionRecord>> ListSubmissionsAsync(DbConnection connection, int roundNumber, CancellationToken cancellationToken)
    {
        // sequence grows with every accepted insert: it is the order of acceptance.
        await using var command = Command(connection,
            """
            SELECT round_number, participant_id, artifact_sha256, bytes, accepted_at, metadata_json
            FROM submissions WHERE round_number = @round_number ORDER BY sequence
            """,
            ("round_number", roundNumber));
        return await ReadAllAsync(command, reader => new SubmissionRecord(
            reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
            StoredTime.FromColumn(reader.GetInt64(4)), reader.GetString(5)), cancellationToken);
    }

    public static async Task AddRejectionAsync(DbConnection connection, RejectionRecord rejection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        await using var command = Command(connection,
            """
            INSERT INTO rejections (at, participant_id, round_number, reason, detail)
            VALUES (@at, @participant_id, @round_number, @reason, @detail)
            """,
            ("at", StoredTime.ToColumn(rejection.At)),
            ("participant_id", rejection.ParticipantId),
            ("round_number", rejection.RoundNumber),
            ("reason", rejection.Reason),
            ("detail", rejection.Detail));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<IReadOnlyList<RejectionRecord>> ListRejectionsAsync(DbConnection connection, int limit, CancellationToken cancellationToken)
    {
        ValidateRejectionLimit(limit);
        // Newest by time; among equal times the one recorded last comes first.
        await using var command = Command(connection,
            """
            SELECT at, participant_id, round_number, reason, detail
            FROM rejections ORDER BY at DESC, sequence DESC LIMIT @limit
            """,
            ("limit", limit));
        return await ReadAllAsync(command, reader => new RejectionRecord(
            StoredTime.FromColumn(reader.GetInt64(0)),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetInt32(2),
            reader.GetString(3),
            reader.GetString(4)), cancellationToken);
    }

    /// <summary>Throws when a rejection list limit is below 1 (the contract's lower bound).</summary>
    public static void ValidateRejectionLimit(int limit) =>
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);

    private const string ParticipantColumns =
        "SELECT participant_id, display_name, registered_at, last_seen_at, report_json FROM participants";

    private const string RoundColumns =
        "SELECT round_number, state, settings_json, opened_at, deadline, closed_at, result_json, failure_reason FROM rounds";

    private static ParticipantRecord ReadParticipant(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        StoredTime.FromColumn(reader.GetInt64(2)),
        reader.IsDBNull(3) ? null : StoredTime.FromColumn(reader.GetInt64(3)),
        reader.IsDBNull(4) ? null : reader.GetString(4));

    private static RoundRecord ReadRound(DbDataReader reader) => new(
        reader.GetInt32(0),
        reader.GetString(1),
        reader.GetString(2),
        StoredTime.FromColumn(reader.GetInt64(3)),
        StoredTime.FromColumn(reader.GetInt64(4)),
        reader.IsDBNull(5) ? null : StoredTime.FromColumn(reader.GetInt64(5)),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetString(7));

    private static (string Name, object? Value)[] ParticipantParameters(ParticipantRecord participant) =>
    [
        ("participant_id", participant.ParticipantId),
        ("display_name", participant.DisplayName),
        ("registered_at", StoredTime.ToColumn(participant.RegisteredAt)),
        ("last_seen_at", StoredTime.ToColumn(participant.LastSeenAt)),
        ("report_json", participant.ReportJson),
    ];

    private static (string Name, object? Value)[] RoundParameters(RoundRecord round) =>
    [
        ("round_number", round.RoundNumber),
        ("state", round.State),
        ("settings_json", round.SettingsJson),
        ("opened_at", StoredTime.ToColumn(round.OpenedAt)),
        ("deadline", StoredTime.ToColumn(round.Deadline)),
        ("closed_at", StoredTime.ToColumn(round.ClosedAt)),
        ("result_json", round.ResultJson),
        ("failure_reason", round.FailureReason),
    ];

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    private static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}
