using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Interop;

/// <summary>
/// State dicts between PyTorch 1.13 and FedDistill through <see cref="ModelFiles"/>, both ways and
/// in both formats (PyTorch's zip pickle and safetensors), checked by the logits each side computes
/// for the same input batch.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class StateDictInteropTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("feddistill-interop-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// A state dict that PyTorch saved (torch.save of model.state_dict(), or safetensors) fills a
    /// FedDistill SmallCnn so that it computes PyTorch's logits: parameter names, shapes, layouts
    /// and the forward pass agree. The freshly initialized model computes other logits, so the
    /// agreement comes from the file.
    /// </summary>
    [Theory]
    [InlineData("small_cnn.pt")]
    [InlineData("small_cnn.safetensors")]
    public void A_state_dict_saved_by_pytorch_loads_into_small_cnn_and_gives_pytorchs_logits(string file)
    {
        torch.manual_seed(1);
        using var model = InteropFixtures.CreateSmallCnn();
        var pytorch = InteropFixtures.Reference.Logits;
        Assert.True(InteropFixtures.MaxDifference(InteropFixtures.Logits(model), pytorch) > 1e-2, "a fresh model already computes the fixture's logits");

        ModelFiles.LoadWeights(model, InteropFixtures.Fixture(file));

        InteropFixtures.AssertClose(pytorch, InteropFixtures.Logits(model), file);
    }

    /// <summary>
    /// A FedDistill SmallCnn whose weights differ from the fixture's is saved with
    /// <see cref="ModelFiles.SaveWeights"/>; PyTorch 1.13 loads the file strictly into its own
    /// SmallCnn (torch.load for .pt, a plain safetensors reader for .safetensors) and computes the
    /// logits FedDistill computes, not the fixture's.
    /// </summary>
    [Theory]
    [InlineData(".pt")]
    [InlineData(".safetensors")]
    public async Task Weights_saved_by_feddistill_load_into_pytorch_and_give_the_same_logits(string extension)
    {
        torch.manual_seed(7);
        using var model = InteropFixtures.CreateSmallCnn();
        ModelFiles.LoadWeights(model, InteropFixtures.Fixture("small_cnn.pt"));
        using (torch.no_grad())
        {
            foreach (var parameter in model.parameters())
            {
                using var noise = torch.randn_like(parameter);
                parameter.add_(noise, alpha: 0.05);
            }
        }
        var ours = InteropFixtures.Logits(model);
        Assert.True(InteropFixtures.MaxDifference(ours, InteropFixtures.Reference.Logits) > 1e-2, "the perturbation did not move the logits");
        var path = Path.Combine(_directory, "student" + extension);

        ModelFiles.SaveWeights(model, path);

        Assert.False(File.Exists(path + ".tmp"));
        const string script = """
            path = args[0]
            state = read_safetensors(path) if path.endswith(".safetensors") else torch.load(path)
            assert all(tensor.dtype == torch.float32 for tensor in state.values()), {name: str(t.dtype) for name, t in state.items()}
            model = SmallCnn()
            model.load_state_dict(state, strict=True)
            model.eval()
            with torch.no_grad():
                emit(model(x))
            """;
        var pytorch = await InteropFixtures.PyTorchLogitsAsync(script, path);
        InteropFixtures.AssertClose(pytorch, ours, "student" + extension);
    }

    /// <summary>
    /// A state dict of another architecture is refused with an <see cref="InvalidDataException"/>
    /// whose message names the file: an Mlp's (other parameter names: SmallCnn's are missing), a
    /// SmallCnn's with other widths (the same names with other shapes), and a one-class SmallCnn's,
    /// whose fc2 shapes ([1, 16], [1]) would broadcast into the ten-class model's ([10, 16], [10]):
    /// loading is strict about shapes, not only about names, in both formats.
    /// </summary>
    [Theory]
    [InlineData("mlp.pt")]
    [InlineData("small_cnn_wide.safetensors")]
    [InlineData("small_cnn_one_class.pt")]
    [InlineData("small_cnn_one_class.safetensors")]
    public void A_state_dict_of_another_architecture_is_refused_with_an_invalid_data_exception_naming_the_file(string file)
    {
        using var model = InteropFixtures.CreateSmallCnn();
        var path = InteropFixtures.Fixture(file);

        var error = Assert.Throws<InvalidDataException>(() => ModelFiles.LoadWeights(model, path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
