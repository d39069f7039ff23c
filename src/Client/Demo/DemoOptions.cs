namespace FedDistill.Client.Demo;

/// <summary>Settings of the demo; the defaults are the ones README's demo command runs.</summary>
/// <param name="TeacherEpochs">Epochs for the CNN teacher.</param>
/// <param name="StudentEpochs">Epochs for the MLP student.</param>
/// <param name="TrainLimit">Use only this many training images, or all.</param>
/// <param name="TestLimit">Evaluate on only this many test images, or all.</param>
/// <param name="Threads">libtorch intra-op threads.</param>
/// <param name="Seed">Seed of the whole run.</param>
/// <param name="DataDirectory">Fashion-MNIST directory, or null for the default.</param>
/// <param name="Temperature">Distillation temperature T.</param>
/// <param name="Alpha">Weight of the soft (teacher) term.</param>
public sealed record DemoOptions(
    int TeacherEpochs = 4,
    int StudentEpochs = 8,
    int? TrainLimit = null,
    int? TestLimit = null,
    int Threads = 1,
    ulong Seed = 7,
    string? DataDirectory = null,
    double Temperature = 4.0,
    double Alpha = 0.9);
