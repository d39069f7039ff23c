using FedDistill.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace FedDistill.Storage;

/// <summary>
/// Where the aggregator keeps its state: which <see cref="Grains.Persistence.IFederationStore"/>
/// backend, its connection string, and the directory of the artifact store. Bound from the
/// configuration section <see cref="SectionName"/>.
/// </summary>
/// <remarks>The defaults keep everything in a <c>data/</c> directory under the current directory, in SQLite.</remarks>
public sealed record StoreOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "FedDistill:Store";

    /// <summary>The <see cref="Provider"/> name of the SQLite backend (the default).</summary>
    public const string SqliteProvider = "sqlite";

    /// <summary>The <see cref="Provider"/> name of the PostgreSQL backend.</summary>
    public const string PostgresProvider = "postgres";

    /// <summary>The backend: <c>sqlite</c> or <c>postgres</c> (case-insensitive).</summary>
    public string Provider { get; init; } = SqliteProvider;

    /// <summary>
    /// The backend's connection string: for SQLite a Microsoft.Data.Sqlite one naming a file
    /// (<c>Data Source=data/federation.db</c>), for PostgreSQL an Npgsql one
    /// (<c>Host=...;Database=...;Username=...</c>).
    /// </summary>
    public string ConnectionString { get; init; } = "Data Source=data/federation.db";

    /// <summary>The root directory of the content-addressed artifact store (uploaded logits, checkpoints).</summary>
    public string ArtifactsDirectory { get; init; } = "data/artifacts";

    /// <summary>
    /// Checks every setting; each problem is one message that names the property
    /// (<c>StoreOptions.Provider</c>...) and what is allowed. Empty when the options are valid.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var isSqlite = string.Equals(Provider, SqliteProvider, StringComparison.OrdinalIgnoreCase);
        var isPostgres = string.Equals(Provider, PostgresProvider, StringComparison.OrdinalIgnoreCase);
        if (!isSqlite && !isPostgres)
        {
            errors.Add($"StoreOptions.Provider is '{Provider}'; allowed: '{SqliteProvider}' or '{PostgresProvider}'.");
        }

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add("StoreOptions.ConnectionString is empty; it must name the database, e.g. 'Data Source=data/federation.db' for sqlite or 'Host=...;Database=...;Username=...' for postgres.");
        }
        else if (isSqlite)
        {
            ValidateSqlite(errors);
        }
        else if (isPostgres)
        {
            ValidatePostgres(errors);
        }

        if (string.IsNullOrWhiteSpace(ArtifactsDirectory))
        {
            errors.Add("StoreOptions.ArtifactsDirectory is empty; it must be a directory path, e.g. 'data/artifacts'.");
        }
        else if (ArtifactsDirectory.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add($"StoreOptions.ArtifactsDirectory '{ArtifactsDirectory}' contains characters not allowed in a path.");
        }
        return errors;
    }

    private void ValidateSqlite(List<string> errors)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException exception)
        {
            errors.Add($"StoreOptions.ConnectionString is not a valid SQLite connection string ({exception.Message}); expected e.g. 'Data Source=data/federation.db'.");
            return;
        }
        if (SqliteFederationStore.IsInMemory(builder))
        {
            errors.Add("StoreOptions.ConnectionString must name a SQLite database file (Data Source=path); an in-memory database is not durable.");
        }
        else if (builder.Mode == SqliteOpenMode.ReadOnly)
        {
            errors.Add("StoreOptions.ConnectionString opens the SQLite database read-only (Mode=ReadOnly); the store writes, so use Mode=ReadWriteCreate or ReadWrite.");
        }
    }

    private void ValidatePostgres(List<string> errors)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException exception)
        {
            errors.Add($"StoreOptions.ConnectionString is not a valid Npgsql connection string ({exception.Message}); expected e.g. 'Host=db;Database=feddistill;Username=aggregator'.");
            return;
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            errors.Add("StoreOptions.ConnectionString has no Host; a postgres connection string needs Host=... (and usually Database= and Username=).");
        }
    }
}
