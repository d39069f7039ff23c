using FedDistill.Torch.Nn;
using FedDistill.Torch.Serialization;

namespace FedDistill.Torch.Tests.Serialization;

public sealed class ModuleCheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("feddistill-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Saved_state_dict_loads_into_a_fresh_module_with_identical_outputs()
    {
        var path = Path.Combine(_directory, "model.safetensors");
        using var input = Tensor.Randn([4, 1, 8, 8]);
        using var original = new Sequential(new Conv2d(1, 3, 3, padding: 1), new BatchNorm2d(3), new ReLU(), new Flatten(), new Linear(3 * 8 * 8, 5));
        original.Train();
        using (var warmup = original.Forward(input)) { } // moves the batch-norm running statistics away from their initial values
        original.Eval();
        original.SaveStateDict(path);

        using var restored = new Sequential(new Conv2d(1, 3, 3, padding: 1), new BatchNorm2d(3), new ReLU(), new Flatten(), new Linear(3 * 8 * 8, 5));
        restored.LoadStateDict(path);
        restored.Eval();

        using var expected = original.Forward(input);
        using var actual = restored.Forward(input);
        Assert.Equal(expected.ToArray<float>(), actual.ToArray<float>());
        Assert.Contains("1.running_mean", SafetensorsReader.ReadFile(path).Entries.Select(entry => entry.Name));
    }

    [Fact]
    public void Loading_a_checkpoint_of_another_architecture_names_the_mismatch_and_changes_nothing()
    {
        var path = Path.Combine(_directory, "small.safetensors");
        using (var small = new Sequential(new Linear(4, 2))) small.SaveStateDict(path);
        using var large = new Sequential(new Linear(4, 3));
        var before = large.StateDict()["0.weight"].ToArray<float>();

        var error = Assert.Throws<ArgumentException>(() => large.LoadStateDict(path));

        Assert.Contains("'0.weight' has shape [2, 4]", error.Message);
        Assert.Equal(before, large.StateDict()["0.weight"].ToArray<float>());
    }
}
