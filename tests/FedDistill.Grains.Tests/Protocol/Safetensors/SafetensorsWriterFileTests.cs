using FedDistill.Grains.Protocol.Safetensors;

namespace FedDistill.Grains.Tests.Protocol.Safetensors;

public sealed class SafetensorsWriterFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("feddistill-safetensors-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void WriteFile_creates_a_file_that_ReadFile_reads_back()
    {
        string path = Path.Combine(directory, "model.safetensors");
        var metadata = new Dictionary<string, string> { ["round"] = "1" };

        SafetensorsWriter.WriteFile(path, SafetensorsRoundTripTests.MixedEntries(), metadata);

        Assert.Equal(SafetensorsWriter.ToBytes(SafetensorsRoundTripTests.MixedEntries(), metadata), File.ReadAllBytes(path));
        var document = SafetensorsReader.ReadFile(path);
        Assert.Equal("1", document.Metadata["round"]);
        Assert.Equal(SafetensorsRoundTripTests.MixedEntries().Length, document.Count);
    }

    [Fact]
    public void WriteFile_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        string path = Path.Combine(directory, "model.safetensors");
        File.WriteAllText(path, "old contents that are not safetensors");

        SafetensorsWriter.WriteFile(path, [SafetensorsEntry.FromValues<int>("step", [], [2])]);

        Assert.Equal([2], SafetensorsReader.ReadFile(path)["step"].ToArray<int>());
        Assert.Equal([path], Directory.GetFileSystemEntries(directory));
    }

    [Fact]
    public async Task WriteFileAsync_replaces_an_existing_file_and_ReadFileAsync_reads_it()
    {
        string path = Path.Combine(directory, "logits.safetensors");
        SafetensorsWriter.WriteFile(path, [SafetensorsEntry.FromValues<int>("step", [], [1])]);

        await SafetensorsWriter.WriteFileAsync(path, [SafetensorsEntry.FromValues<int>("step", [], [2])]);

        var document = await SafetensorsReader.ReadFileAsync(path);
        Assert.Equal([2], document["step"].ToArray<int>());
        Assert.Equal([path], Directory.GetFileSystemEntries(directory));
    }

    [Fact]
    public void WriteFile_that_cannot_replace_its_target_removes_the_temporary_file()
    {
        // A directory where the file should go: the final rename fails after all bytes are written.
        string path = Path.Combine(directory, "occupied");
        Directory.CreateDirectory(Path.Combine(path, "child"));

        Assert.ThrowsAny<IOException>(() => SafetensorsWriter.WriteFile(path, SafetensorsRoundTripTests.MixedEntries()));

        Assert.Equal([path], Directory.GetFileSystemEntries(directory));
    }

    [Fact]
    public async Task WriteFileAsync_that_is_cancelled_leaves_the_old_file_and_no_temporary_file()
    {
        string path = Path.Combine(directory, "model.safetensors");
        SafetensorsWriter.WriteFile(path, [SafetensorsEntry.FromValues<int>("step", [], [1])]);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => SafetensorsWriter.WriteFileAsync(path, SafetensorsRoundTripTests.MixedEntries(), cancellationToken: cancellation.Token));

        Assert.Equal([1], SafetensorsReader.ReadFile(path)["step"].ToArray<int>());
        Assert.Equal([path], Directory.GetFileSystemEntries(directory));
    }

    [Fact]
    public void ReadFile_rejects_a_truncated_file_with_a_format_error()
    {
        string path = Path.Combine(directory, "truncated.safetensors");
        var file = SafetensorsWriter.ToBytes(SafetensorsRoundTripTests.MixedEntries());
        File.WriteAllBytes(path, file[..(file.Length - 1)]);

        var exception = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.ReadFile(path));

        Assert.Contains("run past the end of the", exception.Message);
    }
}
