using FedDistill.Grains.Persistence;
using FedDistill.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace FedDistill.Storage.Tests.Sqlite;

/// <summary>The store contract on SQLite, each test in a database file of its own, deleted afterwards.</summary>
public sealed class SqliteFederationStoreTests : FederationStoreContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"feddistill-sqlite-{Guid.NewGuid():N}");

    private string DatabasePath => Path.Combine(_directory, "state", "federation.db");

    protected override IFederationStore CreateStore() => new SqliteFederationStore($"Data Source={DatabasePath}");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void InitializeAsync_creates_the_database_file_and_its_directory()
    {
        Assert.True(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task The_database_uses_write_ahead_logging()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Token);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(Token));
    }

    [Fact]
    public async Task An_acknowledged_write_is_in_the_file_before_the_store_is_disposed()
    {
        // What a process killed right after the acknowledgement leaves behind: the file alone.
        Assert.True(await Store.AddSubmissionAsync(
            new SubmissionRecord(1, "hospital-a", new string('c', 64), 42, DateTimeOffset.UnixEpoch, "{}"), Token));

        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync(Token);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT participant_id FROM submissions WHERE round_number = 1";
        Assert.Equal("hospital-a", (string?)await command.ExecuteScalarAsync(Token));
    }

    [Fact]
    public async Task Dispose_releases_the_database_file()
    {
        await Store.DisposeAsync();
        var moved = DatabasePath + ".moved";
        File.Move(DatabasePath, moved);
        Assert.True(File.Exists(moved));
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=federation;Mode=Memory")]
    [InlineData("Mode=ReadWriteCreate")]
    public void The_constructor_refuses_a_database_that_is_not_a_file(string connectionString)
    {
        Assert.Throws<ArgumentException>(() => new SqliteFederationStore(connectionString));
    }
}
