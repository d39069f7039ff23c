using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Interop;

/// <summary>
/// TorchScript between PyTorch 1.13 and FedDistill: a module that PyTorch scripted and saved
/// (fixtures/small_cnn_script.pt, the SmallCnn of small_cnn.pt) is loaded, run, trained and saved
/// through <see cref="ModelFiles"/>, and PyTorch loads the result back.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class TorchScriptInteropTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("feddistill-interop-jit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A TorchScript module saved by PyTorch loads in evaluation mode and computes PyTorch's logits.</summary>
    [Fact]
    public void A_torchscript_module_saved_by_pytorch_loads_and_gives_pytorchs_logits()
    {
        using var module = ModelFiles.LoadTorchScript(InteropFixtures.Fixture("small_cnn_script.pt"));

        Assert.False(module.training);
        Assert.Equal(["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"],
            module.named_parameters().Select(pair => pair.name));
        InteropFixtures.AssertClose(InteropFixtures.Reference.Logits, InteropFixtures.Logits(module), "small_cnn_script.pt");
    }

    /// <summary>
    /// The loaded TorchScript module trains like any module (the loss on a fixed batch falls over a
    /// few Adam steps and every parameter moves); <see cref="ModelFiles.SaveTorchScript"/> writes it
    /// so that PyTorch 1.13's torch.jit.load reads it and computes the trained module's logits, which
    /// are no longer the fixture's.
    /// </summary>
    [Fact]
    public async Task A_torchscript_module_trained_here_is_saved_and_pytorch_computes_the_trained_logits()
    {
        using var module = ModelFiles.LoadTorchScript(InteropFixtures.Fixture("small_cnn_script.pt"));
        var before = module.named_parameters().ToDictionary(pair => pair.name, pair => pair.parameter.detach().clone());
        var losses = new List<float>();
        torch.manual_seed(3);
        using (var batch = torch.randn(16, 1, 28, 28))
        using (var labels = torch.arange(16, dtype: ScalarType.Int64) % 10)
        using (var optimizer = optim.Adam(module.parameters(), 1e-2))
        {
            module.train();
            for (var step = 0; step < 8; step++)
            {
                using var scope = torch.NewDisposeScope();
                var loss = nn.functional.cross_entropy(module.forward(batch), labels);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                losses.Add(loss.item<float>());
            }
        }
        Assert.True(losses[^1] < 0.9 * losses[0], $"the loss did not fall: {string.Join(", ", losses)}");
        foreach (var (name, parameter) in module.named_parameters())
        {
            using var change = (parameter - before[name]).abs().max();
            Assert.True(change.item<float>() > 1e-4, $"training did not change '{name}'");
        }
        foreach (var tensor in before.Values) tensor.Dispose();
        var ours = InteropFixtures.Logits(module);
        Assert.True(InteropFixtures.MaxDifference(ours, InteropFixtures.Reference.Logits) > 1e-2, "training did not move the logits");
        var path = Path.Combine(_directory, "trained_script.pt");

        ModelFiles.SaveTorchScript(module, path);

        Assert.False(File.Exists(path + ".tmp"));
        const string script = """
            model = torch.jit.load(args[0])
            model.eval()
            with torch.no_grad():
                emit(model(x))
            """;
        var pytorch = await InteropFixtures.PyTorchLogitsAsync(script, path);
        InteropFixtures.AssertClose(pytorch, ours, "trained_script.pt read by PyTorch");
        using var reloaded = ModelFiles.LoadTorchScript(path);
        InteropFixtures.AssertClose(ours.Select(value => (double)value).ToArray(), InteropFixtures.Logits(reloaded), "trained_script.pt read back here");
    }
}
