namespace FedDistill.Federation.Tests;

/// <summary>The end-to-end suite on the default store: a SQLite file per federation.</summary>
public sealed class SqliteFederationEndToEndTests : FederationEndToEndTests
{
    protected override Task<(string Provider, string? ConnectionString)> CreateStoreAsync() => Task.FromResult<(string, string?)>(("sqlite", null));
}
