namespace FedDistill.Distillation.Data;

/// <summary>
/// Loads the Breast Cancer Wisconsin (Diagnostic) table as scikit-learn ships it: 569 tumours,
/// 30 real-valued features each, labels 0 = malignant (212) and 1 = benign (357).
/// </summary>
/// <remarks>
/// A small real medical table: the tabular counterpart of Fashion-MNIST in experiments, where
/// hospitals as clients are the motivating federated setting. Features span very different
/// scales (areas in the hundreds, fractal dimensions near 0.06), so fit a
/// <see cref="FeatureStandardization"/> on the training part before use.
/// </remarks>
public static class BreastCancerWisconsin
{
    /// <summary>The file name inside scikit-learn's data directory.</summary>
    public const string FileName = "breast_cancer.csv";

    /// <summary>Number of features per example.</summary>
    public const int FeatureCount = 30;

    /// <summary>The label of a malignant tumour.</summary>
    public const int MalignantLabel = 0;

    /// <summary>The label of a benign tumour.</summary>
    public const int BenignLabel = 1;

    /// <summary>Loads the table.</summary>
    /// <param name="directory">
    /// The directory holding <see cref="FileName"/>; when <see langword="null"/> it is found as
    /// <see cref="SklearnDataDirectory.FindFile"/> describes.
    /// </param>
    /// <returns>A new labeled dataset of shape <c>[30]</c> with class names <c>malignant</c>, <c>benign</c>.</returns>
    /// <exception cref="FileNotFoundException">The file is missing; the message says how to get it.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or is not this table.</exception>
    public static Dataset Load(string? directory = null)
    {
        string path;
        if (directory is null)
        {
            path = SklearnDataDirectory.FindFile(FileName);
        }
        else
        {
            path = Path.Combine(directory, FileName);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(SklearnDataDirectory.MissingMessage(FileName, [directory]), path);
            }
        }

        Dataset dataset = CsvTableReader.Read(path);
        if (dataset.FeatureLength != FeatureCount || dataset.ClassCount != 2)
        {
            throw new InvalidDataException(
                $"'{path}': expected {FeatureCount} features and 2 classes (malignant, benign) but the header " +
                $"declares {dataset.FeatureLength} features and {dataset.ClassCount} classes.");
        }

        return dataset;
    }
}
