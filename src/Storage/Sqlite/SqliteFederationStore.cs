using FedDistill.Grains.Persistence;
using FedDistill.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace FedDistill.Storage.Sqlite;

/// <summary>
/// <see cref="IFederationStore"/> in a SQLite database file: the default backend, for an
/// aggregator on one machine.
/// </summary>
/// <remarks>
/// <para>
/// The database runs in WAL mode with <c>synchronous = FULL</c>, so a write is on disk when its
/// task completes and survives the process being killed (or the machine losing power) right
/// after. Every call opens a pooled connection; reads run concurrently, writes from this
/// instance are serialized by a lock (SQLite has one writer at a time anyway), and a busy
/// timeout makes a writer in another process wait instead of failing at once.
/// </para>
/// <para>
/// Instants are stored as UTC ticks and come back equal to what was written, in UTC.
/// Call <see cref="InitializeAsync"/> once before any other method.
/// </para>
/// </remarks>
public sealed class SqliteFederationStore : IFederationStore
{
    /// <summary>How long a statement waits for another writer's lock before failing.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    private const string Schema =
        """
        CREATE TABLE IF NOT EXISTS federation (
            id                     INTEGER PRIMARY KEY CHECK (id = 1),
            name                   TEXT NOT NULL,
            public_set_fingerprint TEXT NOT NULL,
            created_at             INTEGER NOT NULL,
            settings_json          TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS participants (
            participant_id TEXT PRIMARY KEY,
            display_name   TEXT NOT NULL,
            registered_at  INTEGER NOT NULL,
            last_seen_at   INTEGER,
            report_json    TEXT
        );
        CREATE TABLE IF NOT EXISTS rounds (
            round_number   INTEGER PRIMARY KEY,
            state          TEXT NOT NULL,
            settings_json  TEXT NOT NULL,
            opened_at      INTEGER NOT NULL,
            deadline       INTEGER NOT NULL,
            closed_at      INTEGER,
            result_json    TEXT,
            failure_reason TEXT
        );
        CREATE TABLE IF NOT EXISTS submissions (
            sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
            round_number    INTEGER NOT NULL,
            participant_id  TEXT NOT NULL,
            artifact_sha256 TEXT NOT NULL,
            bytes           INTEGER NOT NULL,
            accepted_at     INTEGER NOT NULL,
            metadata_json   TEXT NOT NULL,
            UNIQUE (round_number, participant_id)
        );
        CREATE TABLE IF NOT EXISTS rejections (
            sequence       INTEGER PRIMARY KEY AUTOINCREMENT,
            at             INTEGER NOT NULL,
            participant_id TEXT,
            round_number   INTEGER,
            reason         TEXT NOT NULL,
            detail         TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS rejections_by_time ON rejections (at DESC, sequence DESC);
        """;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _disposed;

    /// <summary>Creates a store over the database file named by <paramref name="connectionString"/>; opens nothing yet.</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string naming a file, e.g. <c>Data Source=data/federation.db</c>.</param>
    /// <exception cref="ArgumentException">The connection string cannot be parsed or names an in-memory database (not durable).</exception>
    public SqliteFederationStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (IsInMemory(builder))
        {
            throw new ArgumentException(
                "The SQLite federation store needs a database file (Data Source=path); an in-memory database is not durable.",
                nameof(connectionString));
        }
        _connectionString = builder.ToString();
        DatabasePath = Path.GetFullPath(builder.DataSource);
    }

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>Whether the connection string names an in-memory (hence not durable) database.</summary>
    internal static bool IsInMemory(SqliteConnectionStringBuilder builder) =>
        builder.Mode == SqliteOpenMode.Memory
        || string.IsNullOrWhiteSpace(builder.DataSource)
        || string.Equals(builder.DataSource, ":memory:", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    /// <remarks>Also creates the file's directory and switches the database to WAL journaling.</remarks>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        await WriteAsync(async connection =>
        {
            await using (var journal = connection.CreateCommand())
            {
                // Persistent in the file: every later connection uses the write-ahead log.
                journal.CommandText = "PRAGMA journal_mode = WAL";
                var mode = (string?)await journal.ExecuteScalarAsync(cancellationToken);
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"SQLite refused WAL journaling for {DatabasePath} (journal_mode is '{mode}'); the file system may not support it.");
                }
            }
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using (var schema = connection.CreateCommand())
            {
                schema.Transaction = transaction;
                schema.CommandText = Schema;
                await schema.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<FederationRecord?> GetFederationAsync(CancellationToken cancellationToken) =>
        ReadAsync(connection => FederationQueries.GetFederationAsync(connection, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task SaveFederationAsync(FederationRecord federation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(federation);
        return WriteAsync(async connection =>
        {
            await FederationQueries.SaveFederationAsync(connection, federation, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> AddParticipantAsync(ParticipantRecord participant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participant);
        return WriteAsync(connection => FederationQueries.AddParticipantAsync(connection, participant, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> UpdateParticipantAsync(ParticipantRecord participant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participant);
        return WriteAsync(connection => FederationQueries.UpdateParticipantAsync(connection, participant, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemoveParticipantAsync(string participantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participantId);
        return WriteAsync(connection => FederationQueries.RemoveParticipantAsync(connection, participantId, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<ParticipantRecord?> GetParticipantAsync(string participantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participantId);
        return ReadAsync(connection => FederationQueries.GetParticipantAsync(connection, participantId, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ParticipantRecord>> ListParticipantsAsync(CancellationToken cancellationToken) =>
        ReadAsync(connection => FederationQueries.ListParticipantsAsync(connection, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<bool> AddRoundAsync(RoundRecord round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        return WriteAsync(connection => FederationQueries.AddRoundAsync(connection, round, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> UpdateRoundAsync(RoundRecord round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        return WriteAsync(connection => FederationQueries.UpdateRoundAsync(connection, round, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<RoundRecord?> GetRoundAsync(int roundNumber, CancellationToken cancellationToken) =>
        ReadAsync(connection => FederationQueries.GetRoundAsync(connection, roundNumber, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RoundRecord>> ListRoundsAsync(CancellationToken cancellationToken) =>
        ReadAsync(connection => FederationQueries.ListRoundsAsync(connection, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<bool> AddSubmissionAsync(SubmissionRecord submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        return WriteAsync(connection => FederationQueries.AddSubmissionAsync(connection, submission, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SubmissionRecord>> ListSubmissionsAsync(int roundNumber, CancellationToken cancellationToken) =>
        ReadAsync(connection => FederationQueries.ListSubmissionsAsync(connection, roundNumber, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task AddRejectionAsync(RejectionRecord rejection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        return WriteAsync(async connection =>
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
        return ReadAsync(connection => FederationQueries.ListRejectionsAsync(connection, limit, cancellationToken), cancellationToken);
    }

    /// <summary>Closes the pooled connections to the file (so it can be moved or deleted) and releases the lock.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            using (var connection = new SqliteConnection(_connectionString))
            {
                SqliteConnection.ClearPool(connection);
            }
            _writeLock.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await using var connection = await OpenAsync(cancellationToken);
        return await read(connection);
    }

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, Task<T>> write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await write(connection);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var settings = connection.CreateCommand();
            // Per connection (not stored in the file), so set on every open; pooled connections
            // keep them, and setting them again costs next to nothing.
            settings.CommandText =
                $"PRAGMA synchronous = FULL; PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds};";
            await settings.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
