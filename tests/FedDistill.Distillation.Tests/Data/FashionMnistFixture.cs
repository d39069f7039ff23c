using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

/// <summary>Loads the real Fashion-MNIST files once for all tests in <see cref="FashionMnistTests"/>.</summary>
public sealed class FashionMnistFixture
{
    public FashionMnistFixture()
    {
        Train = FashionMnist.LoadTrain();
        Test = FashionMnist.LoadTest();
    }

    public Dataset Train { get; }

    public Dataset Test { get; }
}
