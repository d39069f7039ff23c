using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace FedDistill.Federation.Tests.Support;

/// <summary>
/// Reads what a federation's sites stored in Azure Storage (Azurite here), straight from the
/// storage account and not through any silo: membership, and every table and container named
/// after the cluster.
/// </summary>
public sealed class ClusterStorage(string connectionString, string clusterId)
{
    /// <summary>Orleans' default membership table (Microsoft.Orleans.Clustering.AzureStorage).</summary>
    private const string MembershipTable = "OrleansSiloInstances";

    private readonly TableServiceClient _tables = new(connectionString);
    private readonly BlobServiceClient _blobs = new(connectionString);

    /// <summary>Names of the silos the membership table lists as active in this cluster.</summary>
    public async Task<IReadOnlyList<string>> ActiveSilosAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var table = _tables.GetTableClient(MembershipTable);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {clusterId}"), cancellationToken: cancellationToken))
        {
            if (row.GetString("Status") == "Active" && row.GetString("SiloName") is { } name) names.Add(name);
        }

        return names;
    }

    /// <summary>
    /// The membership status (<c>Active</c>, <c>Dead</c>, ...) of each entry with this silo name,
    /// by the entry's row key (address, port and generation: one entry per process that joined).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> StatusesAsync(string siloName, CancellationToken cancellationToken)
    {
        var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
        var table = _tables.GetTableClient(MembershipTable);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {clusterId} and SiloName eq {siloName}"), cancellationToken: cancellationToken))
            statuses[row.RowKey] = row.GetString("Status") ?? "(none)";
        return statuses;
    }

    /// <summary>Waits until every silo named in <paramref name="siloNames"/> is active (members join a few seconds after their process starts).</summary>
    public async Task WaitForActiveAsync(IReadOnlyCollection<string> siloNames, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        IReadOnlyList<string> active = [];
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                active = await ActiveSilosAsync(deadline.Token);
                if (siloNames.All(active.Contains)) return;
                await Task.Delay(500, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                break;
            }
        }

        throw new TimeoutException($"After {timeout.TotalSeconds:F0} s the active silos of {clusterId} are [{string.Join(", ", active)}], not all of [{string.Join(", ", siloNames)}].");
    }

    /// <summary>Tables whose names start with the cluster id.</summary>
    public async Task<IReadOnlyList<string>> TablesAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var table in _tables.QueryAsync(cancellationToken: cancellationToken))
        {
            if (table.Name.StartsWith(clusterId, StringComparison.Ordinal)) names.Add(table.Name);
        }

        return names;
    }

    /// <summary>Blob containers whose names start with the cluster id.</summary>
    public async Task<IReadOnlyList<string>> ContainersAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var container in _blobs.GetBlobContainersAsync(prefix: clusterId, cancellationToken: cancellationToken)) names.Add(container.Name);
        return names;
    }

    /// <summary>Every blob of a container, by name, with its bytes.</summary>
    public async Task<IReadOnlyList<StoredItem>> BlobsAsync(string container, CancellationToken cancellationToken)
    {
        var client = _blobs.GetBlobContainerClient(container);
        var items = new List<StoredItem>();
        await foreach (var blob in client.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            var content = await client.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken);
            items.Add(new StoredItem($"{container}/{blob.Name}", content.Value.Content.ToArray()));
        }

        return items;
    }

    /// <summary>Every entity of a table, each as the concatenation of all its property values' bytes (binary as is, strings as UTF-8).</summary>
    public async Task<IReadOnlyList<StoredItem>> EntitiesAsync(string table, CancellationToken cancellationToken)
    {
        var items = new List<StoredItem>();
        await foreach (var entity in _tables.GetTableClient(table).QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            using var bytes = new MemoryStream();
            foreach (var (_, value) in entity.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                var part = value switch
                {
                    byte[] binary => binary,
                    BinaryData binary => binary.ToArray(),
                    null => [],
                    _ => Encoding.UTF8.GetBytes(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty),
                };
                bytes.Write(part);
            }

            items.Add(new StoredItem($"{table}/{entity.PartitionKey}/{entity.RowKey}", bytes.ToArray()));
        }

        return items;
    }
}

/// <summary>One stored blob or table entity: where it is and its bytes.</summary>
public sealed record StoredItem(string Location, byte[] Bytes);
