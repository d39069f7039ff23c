namespace FedDistill.Distillation.Evaluation;

/// <summary>How well one class of the test set is recognized.</summary>
/// <param name="Class">The class index.</param>
/// <param name="Name">The class name from the data set, or null when it has none.</param>
/// <param name="Support">Test examples whose true class this is.</param>
/// <param name="Correct">Of those, how many the model predicted as this class.</param>
/// <param name="Accuracy">Correct / Support (the class's recall), or null when the class has no examples.</param>
public sealed record ClassAccuracy(int Class, string? Name, int Support, int Correct, double? Accuracy);
