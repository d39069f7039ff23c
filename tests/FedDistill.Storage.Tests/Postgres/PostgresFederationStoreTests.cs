using FedDistill.Grains.Persistence;
using FedDistill.Storage.Postgres;

namespace FedDistill.Storage.Tests.Postgres;

/// <summary>
/// The store contract on a real PostgreSQL (<c>FEDDISTILL_POSTGRES</c>, set by <c>./run test</c>):
/// one database for the class, a schema per test.
/// </summary>
public sealed class PostgresFederationStoreTests(PostgresDatabaseFixture database)
    : FederationStoreContractTests, IClassFixture<PostgresDatabaseFixture>
{
    private string? _connectionString;

    protected override IFederationStore CreateStore() =>
        new PostgresFederationStore(_connectionString ?? throw new InvalidOperationException("No schema yet."));

    public override async Task InitializeAsync()
    {
        _connectionString = await database.CreateSchemaAsync(Token);
        await base.InitializeAsync();
    }

    [Fact]
    public async Task InitializeAsync_from_several_stores_at_once_creates_the_schema_once()
    {
        // A schema of its own, so that the stores really race to create the tables.
        var connectionString = await database.CreateSchemaAsync(Token);
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgresFederationStore(connectionString)).ToArray();
        try
        {
            await Task.WhenAll(stores.Select(store => Task.Run(() => store.InitializeAsync(Token))));
            Assert.True(await stores[0].AddRoundAsync(new RoundRecord(1, "open", "{}", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null, null), Token));
            Assert.Single(await stores[3].ListRoundsAsync(Token));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }
}
