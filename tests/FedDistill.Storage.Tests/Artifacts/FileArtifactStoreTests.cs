using System.Security.Cryptography;
using System.Text;
using FedDistill.Storage.Artifacts;

namespace FedDistill.Storage.Tests.Artifacts;

public sealed class FileArtifactStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"feddistill-artifacts-{Guid.NewGuid():N}");
    private readonly FileArtifactStore _store;

    public FileArtifactStoreTests() => _store = new FileArtifactStore(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static CancellationToken Token => CancellationToken.None;

    [Fact]
    public async Task Put_then_Get_returns_the_same_bytes()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var sha256 = await _store.PutAsync(content, Token);
        Assert.Equal(content, await _store.GetAsync(sha256, Token));
        Assert.True(_store.Contains(sha256));
    }

    [Fact]
    public async Task Put_returns_the_lower_case_hex_SHA256_of_the_bytes()
    {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        var sha256 = await _store.PutAsync(Encoding.ASCII.GetBytes("abc"), Token);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sha256);
    }

    [Fact]
    public async Task A_blob_lives_under_the_first_two_hex_digits_of_its_hash()
    {
        var sha256 = await _store.PutAsync(Encoding.ASCII.GetBytes("abc"), Token);
        var path = Path.Combine(_root, "ba", sha256);
        Assert.Equal(path, _store.PathOf(sha256));
        Assert.Equal("abc", await File.ReadAllTextAsync(path, Token));
    }

    [Fact]
    public async Task An_empty_blob_is_stored_under_the_hash_of_nothing()
    {
        var sha256 = await _store.PutAsync(ReadOnlyMemory<byte>.Empty, Token);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha256);
        Assert.Equal(Array.Empty<byte>(), await _store.GetAsync(sha256, Token));
    }

    [Fact]
    public async Task Putting_the_same_bytes_twice_keeps_the_first_file_untouched()
    {
        var content = Encoding.UTF8.GetBytes("soft labels");
        var first = await _store.PutAsync(content, Token);
        var path = _store.PathOf(first);
        var written = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);

        var second = await _store.PutAsync(content, Token);

        Assert.Equal(first, second);
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Single(Directory.GetFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Concurrent_puts_of_the_same_bytes_store_one_blob()
    {
        var content = RandomNumberGenerator.GetBytes(50_000);
        var hashes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => _store.PutAsync(content, Token))));
        Assert.Single(hashes.Distinct());
        Assert.Equal(content, await _store.GetAsync(hashes[0], Token));
        Assert.Single(Directory.GetFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task No_temporary_files_are_left_behind()
    {
        for (var i = 0; i < 20; i++)
        {
            await _store.PutAsync(BitConverter.GetBytes(i % 10), Token);
        }
        var files = Directory.GetFiles(_root, "*", SearchOption.AllDirectories);
        Assert.Equal(10, files.Length);
        Assert.All(files, file => Assert.Equal(_store.PathOf(Path.GetFileName(file)), file));
        Assert.All(files, file => Assert.Matches("^[0-9a-f]{64}$", Path.GetFileName(file)));
    }

    [Fact]
    public async Task Get_of_a_missing_blob_returns_null()
    {
        var missing = new string('0', 64);
        Assert.Null(await _store.GetAsync(missing, Token));
        Assert.False(_store.Contains(missing));
    }

    [Fact]
    public async Task Get_accepts_an_upper_case_hash()
    {
        var sha256 = await _store.PutAsync(Encoding.ASCII.GetBytes("abc"), Token);
        Assert.Equal("abc"u8.ToArray(), await _store.GetAsync(sha256.ToUpperInvariant(), Token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ba7816bf")]
    [InlineData("../../etc/passwd")]
    [InlineData("../../../../../../../../../../../../../../../../../../../../../../../../etc/passwd")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0")]
    [InlineData("ba/816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData(" a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١٢٣")]
    public async Task A_string_that_is_not_64_hex_digits_is_refused_with_ArgumentException(string sha256)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.GetAsync(sha256, Token));
        Assert.Throws<ArgumentException>(() => _store.Contains(sha256));
        Assert.Throws<ArgumentException>(() => _store.PathOf(sha256));
    }

    [Fact]
    public async Task A_null_hash_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => _store.GetAsync(null!, Token));
    }

    [Fact]
    public async Task A_cancelled_put_leaves_neither_blob_nor_temporary_file()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var content = RandomNumberGenerator.GetBytes(1_000);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.PutAsync(content, cancelled.Token));
        Assert.False(_store.Contains(Convert.ToHexStringLower(SHA256.HashData(content))));
        Assert.Empty(Directory.Exists(_root) ? Directory.GetFiles(_root, "*", SearchOption.AllDirectories) : []);
    }
}
