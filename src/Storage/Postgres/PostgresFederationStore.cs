using FedDistill.Grains.Persistence;
using FedDistill.Storage.Relational;
using Npgsql;

namespace FedDistill.Storage.Postgres;

/// <summary>
/// <see cref="IFederationStore"/> in a PostgreSQL database: the backend for a real deployment,
/// where the database runs (and is backed up) apart from the aggregator.
/// </summary>
/// <remarks>
/// <para>
/// Calls run concurrently over an <see cref="NpgsqlDataSource"/> (a connection pool owned by the
/// store). Every write is one statement that commits on its own with
/// <c>synchronous_commit = on</c> forced for the store's sessions, so it is durable when its task
/// completes. Uniqueness is enforced by primary keys with <c>ON CONFLICT DO NOTHING</c>.
/// </para>
/// <para>
/// The schema matches the SQLite backend's column for column: instants are <c>bigint</c> UTC ticks
/// (100 ns; <c>timestamptz</c> would drop the last digit) and JSON is kept as <c>text</c>, byte for
/// byte (<c>jsonb</c> would reorder keys and reformat). The tables go in the first schema of the
/// connection's search path. Call <see cref="InitializeAsync"/> once before any other method.
/// </para>
/// </remarks>
public sealed class PostgresFederationStore : IFederationStore
{
    /// <summary>Key of the advisory lock that serializes schema creation between aggregators starting together.</summary>
    private const long SchemaLockKey = 0x46656444697374; // "FedDist"

    private const string Schema =
        """
        CREATE TABLE IF NOT EXISTS federation (
            id                     integer PRIMARY KEY CHECK (id = 1),
            name                   text NOT NULL,
            public_set_fingerprint text NOT NULL,
            created_at             bigint NOT NULL,
            settings_json          text NOT NULL
        );
        CREATE TABLE IF NOT EXISTS participants (
            participant_id text PRIMARY KEY,
            display_name   text NOT NULL,
            registered_at  bigint NOT NULL,
            last_seen_at   bigint,
            report_json    text
        );
        CREATE TABLE IF NOT EXISTS rounds (
            round_number   integer PRIMARY KEY,
            state          text NOT NULL,
            settings_json  text NOT NULL,
            opened_at      bigint NOT NULL,
            deadline       bigint NOT NULL,
            closed_at      bigint,
            result_json    text,
            failure_reason text
        );
        CREATE TABLE IF NOT EXISTS submissions (
            sequence        bigint GENERATED ALWAYS AS IDENTITY,
            round_number    integer NOT NULL,
            participant_id  text NOT NULL,
            artifact_sha256 text NOT NULL,
            bytes           bigint NOT NULL,
            accepted_at     bigint NOT NULL,
            metadata_json   text NOT NULL,
            PRIMARY KEY (round_number, participant_id)
        );
        CREATE INDEX IF NOT EXISTS submissions_in_acceptance_order ON submissions (round_number, sequence);
        CREATE TABLE IF NOT EXISTS rejections (
            sequence       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at             bigint NOT NULL,
            participant_id text,
            round_number   integer,
            reason         text NOT NULL,
            detail         text NOT NULL
        );
        CREATE INDEX IF NOT EXISTS rejections_by_time ON rejections (at DESC, sequence DESC);
        """;

    private readonly NpgsqlDataSource _dataSource;
    private int _disposed;

    /// <summary>Creates a store and its connection pool; connects to nothing yet.</summary>
    /// <param name="connectionString">An Npgsql connection string, e.g. <c>Host=db;Database=feddistill;Username=aggregator</c>.</param>
    /// <exception cref="ArgumentException">The connection string cannot be parsed.</exception>
    public PostgresFederationStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // A server or database default of synchronous_commit = off would acknowledge commits
        // before they reach disk; the contract promises durability, so the sessions insist.
        builder.Options = $"{builder.Options} -c synchronous_commit=on".Trim();
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // CREATE ... IF NOT EXISTS is not safe against a concurrent CREATE of the same table.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", SchemaLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var schema = new NpgsqlCommand(Schema, connection, transaction))
        {
            await schema.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<FederationRecord?> GetFederationAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync(connection => FederationQueries.GetFederationAsync(connection, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task SaveFederationAsync(FederationRecord federation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(federation);
        return WithConnectionAsync(async connection =>
        {
            await FederationQueries.SaveFederationAsync(connection, federation, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> AddParticipantAsync(ParticipantRecord participant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participant);
        return WithConnectionAsync(connection => FederationQueries.AddParticipantAsync(connection, participant, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> UpdateParticipantAsync(ParticipantRecord participant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participant);
        return WithConnectionAsync(connection => FederationQueries.UpdateParticipantAsync(connection, participant, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemoveParticipantAsync(string participantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participantId);
        return WithConnectionAsync(connection => FederationQueries.RemoveParticipantAsync(connection, participantId, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<ParticipantRecord?> GetParticipantAsync(string participantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participantId);
        return WithConnectionAsync(connection => FederationQueries.GetParticipantAsync(connection, participantId, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ParticipantRecord>> ListParticipantsAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync(connection => FederationQueries.ListParticipantsAsync(connection, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<bool> AddRoundAsync(RoundRecord round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        return WithConnectionAsync(connection => FederationQueries.AddRoundAsync(connection, round, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> UpdateRoundAsync(RoundRecord round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        return WithConnectionAsync(connection => FederationQueries.UpdateRoundAsync(connection, round, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<RoundRecord?> GetRoundAsync(int roundNumber, CancellationToken cancellationToken) =>
        WithConnectionAsync(connection => FederationQueries.GetRoundAsync(connection, roundNumber, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RoundRecord>> ListRoundsAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync(connection => FederationQueries.ListRoundsAsync(connection, cancellationToken), cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// The order of acceptance is the order of an identity column drawn at insert; two uploads
    /// accepted at the same moment may list in either order.
    /// </remarks>
    public Task<bool> AddSubmissionAsync(SubmissionRecord submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        return WithConnectionAsync(connection => FederationQueries.AddSubmissionAsync(connection, submission, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SubmissionRecord>> ListSubmissionsAsync(int roundNumber, CancellationToken cancellationToken) =>
        WithConnectionAsync(connection => FederationQueries.ListSubmissionsAsync(connection, roundNumber, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task AddRejectionAsync(RejectionRecord rejection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        return WithConnectionAsync(async connection =>
        {
            await FederationQueries.AddRejectionAsync(connection, rejection, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is below 1.</exception>
    public Task<IReadOnlyList<RejectionRecord>> ListRejectionsAsync(int limit, CancellationToken cancellationToken)
    {
        FederationQueries.ValidateRejectionLimit(limit);
        return WithConnectionAsync(connection => FederationQueries.ListRejectionsAsync(connection, limit, cancellationToken), cancellationToken);
    }

    /// <summary>Closes the store's connection pool.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _dataSource.DisposeAsync();
        }
    }

    private async Task<T> WithConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> use, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await use(connection);
    }
}
