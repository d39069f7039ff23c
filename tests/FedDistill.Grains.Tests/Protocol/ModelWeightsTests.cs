using FedDistill.Grains.Protocol;
using FedDistill.Grains.Protocol.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Grains.Tests.Protocol;

public sealed class ModelWeightsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("feddistill-weights-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Saved_weights_load_into_a_fresh_module_with_identical_outputs()
    {
        using var scope = torch.NewDisposeScope();
        var input = torch.randn(4, 1, 8, 8);
        using var original = SmallNetwork(5);
        original.train();
        original.forward(input); // moves the batch-norm running statistics away from their initial values
        original.eval();
        var weights = ModelWeights.Save(original, new Dictionary<string, string> { ["format"] = "test/1" });

        using var restored = SmallNetwork(5);
        ModelWeights.Load(restored, weights);
        restored.eval();

        Assert.Equal(original.forward(input).data<float>().ToArray(), restored.forward(input).data<float>().ToArray());
        var document = SafetensorsReader.Read(weights);
        Assert.Contains("1.running_mean", document.Entries.Select(entry => entry.Name));
        Assert.Equal("test/1", document.Metadata["format"]);
    }

    [Fact]
    public void Saved_weights_are_the_canonical_layout_and_the_same_bytes_every_time()
    {
        using var scope = torch.NewDisposeScope();
        using var module = SmallNetwork(5);
        var metadata = new Dictionary<string, string> { ["version"] = "3" };

        var first = ModelWeights.Save(module, metadata);
        var second = ModelWeights.Save(module, metadata);

        Assert.Equal(first, second);
        var document = SafetensorsReader.Read(first);
        Assert.Equal(first, SafetensorsWriter.ToBytes(document.Entries, document.Metadata));
        Assert.Equal(module.state_dict().Keys.Order(StringComparer.Ordinal), document.Entries.Select(entry => entry.Name).Order(StringComparer.Ordinal));
        Assert.Equal(SafetensorsDType.Int64, document["1.num_batches_tracked"].DType);
    }

    [Fact]
    public void SaveFile_writes_weights_that_LoadFile_reads_back()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(_directory, "teacher.safetensors");
        using var original = SmallNetwork(5);
        using var restored = SmallNetwork(5);

        ModelWeights.SaveFile(original, path);
        ModelWeights.LoadFile(restored, path);

        Assert.Equal(ModelWeights.Save(original), File.ReadAllBytes(path));
        Assert.Equal(original.state_dict()["4.weight"].data<float>().ToArray(), restored.state_dict()["4.weight"].data<float>().ToArray());
        Assert.Equal([path], Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void Loading_weights_of_another_architecture_names_the_mismatch_and_changes_nothing()
    {
        using var scope = torch.NewDisposeScope();
        using var small = nn.Sequential(nn.Linear(4, 2));
        var weights = ModelWeights.Save(small);
        using var large = nn.Sequential(nn.Linear(4, 3));
        var before = large.state_dict()["0.weight"].data<float>().ToArray();

        var error = Assert.Throws<ArgumentException>(() => ModelWeights.Load(large, weights));

        Assert.Contains("'0.weight' has shape [2, 4] but the model's is [3, 4]", error.Message);
        Assert.Contains("'0.bias' has shape [2]", error.Message);
        Assert.Equal(before, large.state_dict()["0.weight"].data<float>().ToArray());
    }

    [Fact]
    public void Loading_weights_with_a_missing_or_an_extra_tensor_names_it_and_changes_nothing()
    {
        using var scope = torch.NewDisposeScope();
        using var module = nn.Sequential(nn.Linear(4, 3));
        var state = SafetensorsReader.Read(ModelWeights.Save(module));
        var before = module.state_dict()["0.bias"].data<float>().ToArray();
        var missing = SafetensorsWriter.ToBytes(state.Entries.Where(entry => entry.Name != "0.bias"));
        var extra = SafetensorsWriter.ToBytes([.. state.Entries, SafetensorsEntry.FromValues<float>("1.weight", [1], [0f])]);

        var missingError = Assert.Throws<ArgumentException>(() => ModelWeights.Load(module, missing));
        var extraError = Assert.Throws<ArgumentException>(() => ModelWeights.Load(module, extra));

        Assert.Contains("'0.bias' is missing", missingError.Message);
        Assert.Contains("'1.weight' is not a tensor of the model", extraError.Message);
        Assert.Equal(before, module.state_dict()["0.bias"].data<float>().ToArray());
    }

    [Fact]
    public void Loading_weights_of_another_dtype_names_it()
    {
        using var scope = torch.NewDisposeScope();
        using var module = nn.Sequential(nn.Linear(2, 1));
        var weights = SafetensorsWriter.ToBytes(
        [
            SafetensorsEntry.FromValues<double>("0.weight", [1, 2], [1.0, 2.0]),
            SafetensorsEntry.FromValues<float>("0.bias", [1], [0.5f]),
        ]);

        var error = Assert.Throws<ArgumentException>(() => ModelWeights.Load(module, weights));

        Assert.Contains("'0.weight' is Float64 but the model's is Float32", error.Message);
    }

    [Fact]
    public void Loading_bytes_that_are_not_safetensors_is_a_format_error_that_changes_nothing()
    {
        using var scope = torch.NewDisposeScope();
        using var module = nn.Sequential(nn.Linear(4, 3));
        var weights = ModelWeights.Save(module);
        var before = module.state_dict()["0.weight"].data<float>().ToArray();

        Assert.ThrowsAny<FormatException>(() => ModelWeights.Load(module, weights.AsMemory(0, weights.Length - 1)));
        Assert.ThrowsAny<FormatException>(() => ModelWeights.Load(module, new byte[] { 1, 2, 3 }));

        Assert.Equal(before, module.state_dict()["0.weight"].data<float>().ToArray());
    }

    [Fact]
    public void Weights_load_from_a_file_written_by_another_safetensors_writer()
    {
        // As PyTorch's safetensors lays files out: any tensor order, here unpadded and with metadata.
        using var scope = torch.NewDisposeScope();
        using var module = nn.Sequential(nn.Linear(2, 1));
        var header = "{\"__metadata__\":{\"format\":\"pt\"},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[4,12]}}"u8.ToArray();
        var file = new byte[8 + header.Length + 12];
        BitConverter.TryWriteBytes(file.AsSpan(0, 8), (ulong)header.Length);
        header.CopyTo(file, 8);
        float[] values = [0.5f, 1f, 2f];
        Buffer.BlockCopy(values, 0, file, 8 + header.Length, 12);

        ModelWeights.Load(module, file);

        Assert.Equal([1f, 2f], module.state_dict()["0.weight"].data<float>().ToArray());
        Assert.Equal([0.5f], module.state_dict()["0.bias"].data<float>().ToArray());
    }

    private static nn.Module<Tensor, Tensor> SmallNetwork(int classes) =>
        nn.Sequential(nn.Conv2d(1, 3, 3, padding: 1), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 8 * 8, classes));
}
