using System.Globalization;

namespace FedDistill.Distillation.Data;

/// <summary>
/// Reads scikit-learn's bundled CSV table format (breast_cancer.csv, iris.csv, wine_data.csv)
/// into a labeled <see cref="Dataset"/> with examples of shape <c>[n_features]</c>.
/// </summary>
/// <remarks>
/// The format: a header line <c>n_samples,n_features,target_name_0,target_name_1,…</c>, then
/// exactly <c>n_samples</c> rows of <c>n_features</c> numbers followed by an integer target in
/// <c>[0, number of target names)</c>. Numbers are parsed with the invariant culture, so a
/// machine's locale cannot turn <c>1.5</c> into fifteen. Any deviation raises
/// <see cref="InvalidDataException"/> naming the source and the 1-based line number; only
/// trailing empty lines are tolerated.
/// </remarks>
public static class CsvTableReader
{
    /// <summary>Reads a table from a file.</summary>
    /// <param name="path">The CSV file.</param>
    /// <returns>A new labeled dataset; the class names come from the header.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file does not follow the format.</exception>
    public static Dataset Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Reads a table from <paramref name="reader"/>, which is left open.</summary>
    /// <param name="reader">The CSV text, starting at the header line.</param>
    /// <param name="sourceName">The name used in error messages, usually the file path.</param>
    /// <returns>A new labeled dataset; the class names come from the header.</returns>
    /// <exception cref="InvalidDataException">The text does not follow the format.</exception>
    public static Dataset Read(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);

        string header = reader.ReadLine()
            ?? throw new InvalidDataException($"'{sourceName}': the file is empty; expected a header line.");
        (int sampleCount, int featureCount, string[] classNames) = ParseHeader(header, sourceName);

        var features = new float[checked(sampleCount * featureCount)];
        var labels = new int[sampleCount];
        int rowCount = 0;
        int lineNumber = 1;
        int firstBlankLine = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                firstBlankLine = firstBlankLine == 0 ? lineNumber : firstBlankLine;
                continue;
            }

            if (firstBlankLine != 0)
            {
                throw new InvalidDataException(
                    $"'{sourceName}' line {firstBlankLine}: empty line between data rows.");
            }

            if (rowCount == sampleCount)
            {
                throw new InvalidDataException(
                    $"'{sourceName}' line {lineNumber}: more rows than the {sampleCount} samples the header declares.");
            }

            ParseRow(line, lineNumber, sourceName, featureCount, classNames.Length,
                features.AsSpan(rowCount * featureCount, featureCount), out labels[rowCount]);
            rowCount++;
        }

        if (rowCount != sampleCount)
        {
            throw new InvalidDataException(
                $"'{sourceName}': the header declares {sampleCount} samples but the file has {rowCount} rows.");
        }

        return new Dataset(features, [featureCount], labels, classNames.Length, classNames);
    }

    private static (int SampleCount, int FeatureCount, string[] ClassNames) ParseHeader(string header, string sourceName)
    {
        string[] fields = header.Split(',');
        if (fields.Length < 3)
        {
            throw new InvalidDataException(
                $"'{sourceName}' line 1: the header needs n_samples, n_features and at least one target name; got '{header}'.");
        }

        int sampleCount = ParseCount(fields[0], "n_samples", 0, sourceName);
        int featureCount = ParseCount(fields[1], "n_features", 1, sourceName);
        string[] classNames = fields[2..].Select(name => name.Trim()).ToArray();
        int emptyName = Array.FindIndex(classNames, string.IsNullOrEmpty);
        if (emptyName >= 0)
        {
            throw new InvalidDataException($"'{sourceName}' line 1: target name {emptyName} is empty.");
        }

        return (sampleCount, featureCount, classNames);
    }

    private static int ParseCount(string field, string name, int minimum, string sourceName)
    {
        if (!int.TryParse(field.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < minimum)
        {
            throw new InvalidDataException(
                $"'{sourceName}' line 1: {name} must be an integer of at least {minimum}; got '{field}'.");
        }

        return value;
    }

    private static void ParseRow(
        string line, int lineNumber, string sourceName, int featureCount, int classCount,
        Span<float> features, out int label)
    {
        string[] fields = line.Split(',');
        if (fields.Length != featureCount + 1)
        {
            throw new InvalidDataException(
                $"'{sourceName}' line {lineNumber}: expected {featureCount + 1} fields ({featureCount} features and a target) but found {fields.Length}.");
        }

        for (int column = 0; column < featureCount; column++)
        {
            string field = fields[column].Trim();
            if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            {
                throw new InvalidDataException(
                    $"'{sourceName}' line {lineNumber}, column {column + 1}: '{field}' is not a finite number.");
            }

            features[column] = value;
        }

        string target = fields[featureCount].Trim();
        if (!int.TryParse(target, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out label))
        {
            throw new InvalidDataException(
                $"'{sourceName}' line {lineNumber}, column {featureCount + 1}: target '{target}' is not an integer.");
        }

        if ((uint)label >= (uint)classCount)
        {
            throw new InvalidDataException(
                $"'{sourceName}' line {lineNumber}: target {label} is outside [0, {classCount}) for the {classCount} target names in the header.");
        }
    }
}
