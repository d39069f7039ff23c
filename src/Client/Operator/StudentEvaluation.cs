using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Federated;
using FedDistill.Grains.Protocol;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Client.Operator;

/// <summary>
/// Evaluates a downloaded student on this machine: the model built from the federation's
/// <see cref="FederationInfo.StudentModel"/>, its state dict loaded, and the local Fashion-MNIST
/// test set normalized as the federation normalizes everything (constants fitted on the public set).
/// </summary>
public static class StudentEvaluation
{
    /// <summary>Builds, loads and evaluates the student; the model is freed before returning.</summary>
    /// <param name="info">The federation (public set, its fingerprint, the student's architecture).</param>
    /// <param name="version">The student's version, for the report's name.</param>
    /// <param name="state">The student's safetensors state dict.</param>
    /// <param name="dataDirectory">The Fashion-MNIST directory, or null for the default.</param>
    /// <param name="testExamples">How many test images to use (the first ones), 1 to 10,000.</param>
    /// <param name="measureSpeed">Whether to time the model (latency and throughput) too.</param>
    /// <exception cref="OperationFailedException">The local data builds another public set, or the state dict does not fit the model.</exception>
    /// <exception cref="IOException">The local Fashion-MNIST files are missing; the message says how to install them.</exception>
    public static EvaluationReport Evaluate(FederationInfo info, int version, byte[] state, string? dataDirectory, int testExamples, bool measureSpeed)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(state);
        var publicSet = LoadPublicSet(info, dataDirectory);
        Dataset testSet;
        try
        {
            testSet = new DataSources(dataDirectory).EvaluationSet(publicSet, testExamples);
        }
        catch (InvalidDataException error)
        {
            throw new OperationFailedException($"The local Fashion-MNIST files are unreadable: {error.Message}");
        }

        nn.Module<Tensor, Tensor> model;
        try
        {
            model = ModelFactory.Create(ModelSpecFile.Parse(info.StudentModel, "the federation's student model"), testSet.ExampleShape);
        }
        catch (Exception error) when (error is ArgumentException or InvalidDataException)
        {
            throw new OperationFailedException($"The federation's student model cannot be built here: {error.Message}");
        }

        using (model)
        using (torch.NewDisposeScope())
        {
            Load(model, state, version);
            var evaluator = new ModelEvaluator(new EvaluationOptions { MeasureSpeed = measureSpeed });
            return evaluator.Evaluate($"student-v{version}", model, testSet);
        }
    }

    /// <summary>
    /// The federation's public set rebuilt here from its spec, as its organizations rebuild it,
    /// checked against the federation's fingerprint (so its normalization and order are the federation's).
    /// </summary>
    /// <exception cref="OperationFailedException">The local data is unreadable or builds another public set.</exception>
    /// <exception cref="IOException">The local Fashion-MNIST files are missing; the message says how to install them.</exception>
    public static PublicSet LoadPublicSet(FederationInfo info, string? dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(info);
        PublicSet publicSet;
        try
        {
            var spec = info.PublicSet;
            publicSet = PublicSet.Load(new PublicSetDefinition(spec.Source, spec.Start, spec.Count, spec.AugmentedCopies, spec.AugmentationSeed), new DataSources(dataDirectory));
        }
        catch (InvalidDataException error)
        {
            throw new OperationFailedException($"The local Fashion-MNIST files are unreadable: {error.Message}");
        }

        if (!string.Equals(publicSet.Fingerprint, info.PublicSetFingerprint, StringComparison.OrdinalIgnoreCase))
            throw new OperationFailedException($"The local Fashion-MNIST ({FashionMnist.ResolveDirectory(dataDirectory)}) builds public set {publicSet.Fingerprint}, "
                + $"not the federation's {info.PublicSetFingerprint}, so its normalization would differ; use the same copy of the data as the federation (--data-dir).");
        return publicSet;
    }

    private static void Load(nn.Module model, byte[] safetensors, int version)
    {
        try
        {
            ModelFiles.LoadSafetensors(model, safetensors, $"Student v{version}");
        }
        catch (InvalidDataException error)
        {
            throw new OperationFailedException($"Student v{version} does not fit the federation's student model: {error.Message}");
        }
    }
}
