namespace FedDistill.Distillation.Configuration;

/// <summary>What a configuration can check about a data set before loading it.</summary>
/// <param name="Name">The catalog name.</param>
/// <param name="TrainCount">Training examples (before any limit).</param>
/// <param name="TestCount">Test examples (before any limit).</param>
/// <param name="ExampleShape">The shape of one example.</param>
/// <param name="ClassCount">Number of classes.</param>
internal sealed record DatasetInfo(string Name, int TrainCount, int TestCount, IReadOnlyList<int> ExampleShape, int ClassCount);
