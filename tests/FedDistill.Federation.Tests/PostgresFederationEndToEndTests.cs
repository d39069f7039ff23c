using Npgsql;

namespace FedDistill.Federation.Tests;

/// <summary>The end-to-end suite on PostgreSQL: a fresh database per federation on the cluster <c>./run test</c> starts.</summary>
public sealed class PostgresFederationEndToEndTests : FederationEndToEndTests
{
    private readonly List<string> _databases = [];

    protected override async Task<(string Provider, string? ConnectionString)> CreateStoreAsync()
    {
        var admin = Environment.GetEnvironmentVariable("FEDDISTILL_POSTGRES");
        Assert.False(string.IsNullOrWhiteSpace(admin),
            "FEDDISTILL_POSTGRES is not set: run these tests through `./run test`, which starts a PostgreSQL on 127.0.0.1 and sets it.");
        var name = "fd_e2e_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        _databases.Add(name);
        return ("postgres", new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString);
    }

    protected override async Task DropStoresAsync()
    {
        var admin = Environment.GetEnvironmentVariable("FEDDISTILL_POSTGRES");
        if (string.IsNullOrWhiteSpace(admin) || _databases.Count == 0) return;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
