namespace FedDistill.Storage.Tests;

public sealed class StoreOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_choose_sqlite_in_a_data_directory()
    {
        var options = new StoreOptions();
        Assert.Empty(options.Validate());
        Assert.Equal("sqlite", options.Provider);
        Assert.Equal("Data Source=data/federation.db", options.ConnectionString);
        Assert.Equal("data/artifacts", options.ArtifactsDirectory);
    }

    [Fact]
    public void A_postgres_connection_string_with_a_host_is_valid()
    {
        var options = new StoreOptions { Provider = "postgres", ConnectionString = "Host=db;Database=feddistill;Username=aggregator" };
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void The_provider_name_is_case_insensitive()
    {
        Assert.Empty(new StoreOptions { Provider = "SQLite" }.Validate());
    }

    [Theory]
    [InlineData("mysql")]
    [InlineData("")]
    public void An_unknown_provider_is_named_with_the_allowed_ones(string provider)
    {
        var error = Assert.Single(new StoreOptions { Provider = provider }.Validate());
        Assert.StartsWith("StoreOptions.Provider", error);
        Assert.Contains("'sqlite'", error);
        Assert.Contains("'postgres'", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_connection_string_is_refused(string connectionString)
    {
        var error = Assert.Single(new StoreOptions { ConnectionString = connectionString }.Validate());
        Assert.StartsWith("StoreOptions.ConnectionString", error);
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=x;Mode=Memory")]
    public void An_in_memory_sqlite_database_is_refused_as_not_durable(string connectionString)
    {
        var error = Assert.Single(new StoreOptions { ConnectionString = connectionString }.Validate());
        Assert.StartsWith("StoreOptions.ConnectionString", error);
        Assert.Contains("in-memory", error);
    }

    [Fact]
    public void A_read_only_sqlite_database_is_refused()
    {
        var error = Assert.Single(new StoreOptions { ConnectionString = "Data Source=x.db;Mode=ReadOnly" }.Validate());
        Assert.Contains("read-only", error);
    }

    [Fact]
    public void An_unparsable_sqlite_connection_string_is_refused()
    {
        var error = Assert.Single(new StoreOptions { ConnectionString = "Colour=blue" }.Validate());
        Assert.StartsWith("StoreOptions.ConnectionString", error);
        Assert.Contains("SQLite", error);
    }

    [Fact]
    public void A_postgres_connection_string_without_a_host_is_refused()
    {
        var error = Assert.Single(new StoreOptions { Provider = "postgres", ConnectionString = "Database=feddistill" }.Validate());
        Assert.StartsWith("StoreOptions.ConnectionString", error);
        Assert.Contains("Host", error);
    }

    [Fact]
    public void An_unparsable_postgres_connection_string_is_refused()
    {
        var error = Assert.Single(new StoreOptions { Provider = "postgres", ConnectionString = "Colour=blue" }.Validate());
        Assert.StartsWith("StoreOptions.ConnectionString", error);
        Assert.Contains("Npgsql", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("data/\0artifacts")]
    public void A_missing_or_malformed_artifacts_directory_is_refused(string directory)
    {
        var error = Assert.Single(new StoreOptions { ArtifactsDirectory = directory }.Validate());
        Assert.StartsWith("StoreOptions.ArtifactsDirectory", error);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var errors = new StoreOptions { Provider = "oracle", ConnectionString = "", ArtifactsDirectory = "" }.Validate();
        Assert.Equal(3, errors.Count);
    }
}
