using FedDistill.Grains.Persistence;
using FedDistill.Storage.Postgres;
using FedDistill.Storage.Sqlite;

namespace FedDistill.Storage;

/// <summary>Creates the <see cref="IFederationStore"/> that <see cref="StoreOptions.Provider"/> names.</summary>
public static class FederationStoreFactory
{
    /// <summary>
    /// Validates <paramref name="options"/> and creates the store of its provider. The caller owns
    /// the store: it calls <see cref="IFederationStore.InitializeAsync"/> before use and disposes it.
    /// </summary>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    public static IFederationStore Create(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(
                "Invalid store options:" + Environment.NewLine + string.Join(Environment.NewLine, errors), nameof(options));
        }
        return options.Provider.ToLowerInvariant() switch
        {
            StoreOptions.SqliteProvider => new SqliteFederationStore(options.ConnectionString),
            StoreOptions.PostgresProvider => new PostgresFederationStore(options.ConnectionString),
            _ => throw new InvalidOperationException($"StoreOptions.Provider '{options.Provider}' passed validation but has no store."),
        };
    }
}
