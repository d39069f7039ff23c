namespace FedDistill.Distillation.Data;

/// <summary>
/// Loads Fashion-MNIST (Xiao et al., 2017): 28×28 grey images of clothing in 10 classes,
/// 60,000 for training and 10,000 for testing, from the four IDX files that Debian's
/// <c>dataset-fashion-mnist</c> package installs.
/// </summary>
/// <remarks>
/// The directory is <see cref="DefaultDirectory"/> unless the environment variable
/// <see cref="DirectoryVariable"/> names another. Either the gzip files
/// (<c>train-images-idx3-ubyte.gz</c>, …) or their uncompressed twins without <c>.gz</c> are read.
/// Examples have shape <c>[1, 28, 28]</c> and pixels in [0, 1].
/// </remarks>
public static class FashionMnist
{
    /// <summary>Where <c>apt-get install dataset-fashion-mnist</c> puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist/";

    /// <summary>Environment variable that overrides <see cref="DefaultDirectory"/>.</summary>
    public const string DirectoryVariable = "FEDDISTILL_FASHION_MNIST_DIR";

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>
    /// Mean pixel value of the training set after scaling to [0, 1] (0.2860), the constant often
    /// hard-coded for normalization. <see cref="GlobalNormalization.Fit"/> computes it from data.
    /// </summary>
    public const float ReferenceMean = 0.2860f;

    /// <summary>Population standard deviation of the training pixels after scaling to [0, 1] (0.3530).</summary>
    public const float ReferenceStandardDeviation = 0.3530f;

    /// <summary>Class names indexed by label: 0 is T-shirt/top, 9 is Ankle boot.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Array.AsReadOnly(
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]);

    /// <summary>
    /// The directory to load from: <paramref name="directory"/> if given, else the value of
    /// <see cref="DirectoryVariable"/> if set and non-empty, else <see cref="DefaultDirectory"/>.
    /// </summary>
    public static string ResolveDirectory(string? directory = null)
    {
        if (!string.IsNullOrEmpty(directory))
        {
            return directory;
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable(DirectoryVariable);
        return string.IsNullOrEmpty(fromEnvironment) ? DefaultDirectory : fromEnvironment;
    }

    /// <summary>Loads the 60,000 training examples.</summary>
    /// <param name="directory">The directory holding the IDX files; see <see cref="ResolveDirectory"/>.</param>
    /// <returns>A new labeled dataset of shape <c>[1, 28, 28]</c>.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist; the message says how to install the data.</exception>
    /// <exception cref="FileNotFoundException">A file is missing from the directory.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the images are not 28×28.</exception>
    public static Dataset LoadTrain(string? directory = null) => Load("train", directory);

    /// <summary>Loads the 10,000 test examples.</summary>
    /// <param name="directory">The directory holding the IDX files; see <see cref="ResolveDirectory"/>.</param>
    /// <returns>A new labeled dataset of shape <c>[1, 28, 28]</c>.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist; the message says how to install the data.</exception>
    /// <exception cref="FileNotFoundException">A file is missing from the directory.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the images are not 28×28.</exception>
    public static Dataset LoadTest(string? directory = null) => Load("t10k", directory);

    private static Dataset Load(string prefix, string? directory)
    {
        string resolved = ResolveDirectory(directory);
        if (!Directory.Exists(resolved))
        {
            throw new DirectoryNotFoundException(
                $"Fashion-MNIST directory '{resolved}' does not exist. Install the data with " +
                "`apt-get install dataset-fashion-mnist` (or run ./run, which installs it), or set " +
                $"{DirectoryVariable} to a directory holding {prefix}-images-idx3-ubyte.gz and {prefix}-labels-idx1-ubyte.gz.");
        }

        string imagesPath = FindFile(resolved, $"{prefix}-images-idx3-ubyte");
        string labelsPath = FindFile(resolved, $"{prefix}-labels-idx1-ubyte");
        Dataset dataset = IdxReader.ReadImageDataset(imagesPath, labelsPath, ClassCount, ClassNames);
        if (dataset.ExampleShape[1] != 28 || dataset.ExampleShape[2] != 28)
        {
            throw new InvalidDataException(
                $"'{imagesPath}': Fashion-MNIST images are 28x28 pixels, not {dataset.ExampleShape[1]}x{dataset.ExampleShape[2]}.");
        }

        return dataset;
    }

    private static string FindFile(string directory, string baseName)
    {
        string compressed = Path.Combine(directory, baseName + ".gz");
        if (File.Exists(compressed))
        {
            return compressed;
        }

        string raw = Path.Combine(directory, baseName);
        if (File.Exists(raw))
        {
            return raw;
        }

        throw new FileNotFoundException(
            $"Fashion-MNIST file '{compressed}' is missing (nor is there an uncompressed '{raw}'). " +
            "Reinstall the data with `apt-get install --reinstall dataset-fashion-mnist`.",
            compressed);
    }
}
