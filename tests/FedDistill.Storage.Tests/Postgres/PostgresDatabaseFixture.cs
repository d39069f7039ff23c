using Npgsql;

namespace FedDistill.Storage.Tests.Postgres;

/// <summary>
/// A fresh PostgreSQL database for one test class, created through the admin connection in
/// <c>FEDDISTILL_POSTGRES</c> and dropped afterwards. Each test then works in a schema of its own.
/// </summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    public const string Variable = "FEDDISTILL_POSTGRES";

    private string? _adminConnectionString;

    public string DatabaseName { get; } = $"feddistill_test_{Guid.NewGuid():N}";

    /// <summary>A connection string to the test database, as a superuser.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _adminConnectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(_adminConnectionString))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set. The PostgreSQL store's tests need a real PostgreSQL server: run them through " +
                "`./run test` (it starts a private cluster on 127.0.0.1 and sets the variable), or set " +
                $"{Variable} to an Npgsql connection string of a superuser's admin database, e.g. " +
                "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres.");
        }
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\" ENCODING 'UTF8' TEMPLATE template0", admin);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = DatabaseName }.ConnectionString;
    }

    /// <summary>Creates an empty schema and returns a connection string whose search path starts with it.</summary>
    public async Task<string> CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var schema = $"test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\"", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (string.IsNullOrWhiteSpace(_adminConnectionString) || ConnectionString.Length == 0)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
