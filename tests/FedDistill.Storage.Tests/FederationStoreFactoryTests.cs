using FedDistill.Storage.Postgres;
using FedDistill.Storage.Sqlite;

namespace FedDistill.Storage.Tests;

public sealed class FederationStoreFactoryTests
{
    [Fact]
    public async Task Create_returns_the_sqlite_store_for_the_sqlite_provider()
    {
        await using var store = FederationStoreFactory.Create(new StoreOptions { ConnectionString = "Data Source=unused.db" });
        Assert.IsType<SqliteFederationStore>(store);
    }

    [Fact]
    public async Task Create_returns_the_postgres_store_for_the_postgres_provider()
    {
        await using var store = FederationStoreFactory.Create(
            new StoreOptions { Provider = "Postgres", ConnectionString = "Host=127.0.0.1;Database=unused" });
        Assert.IsType<PostgresFederationStore>(store);
    }

    [Fact]
    public void Create_refuses_invalid_options_with_every_error_in_the_message()
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            FederationStoreFactory.Create(new StoreOptions { Provider = "mysql", ArtifactsDirectory = "" }));
        Assert.Contains("StoreOptions.Provider", exception.Message);
        Assert.Contains("StoreOptions.ArtifactsDirectory", exception.Message);
    }
}
