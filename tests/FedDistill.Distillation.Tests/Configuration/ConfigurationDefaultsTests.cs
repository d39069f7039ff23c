using System.Text.Json;
using System.Text.Json.Nodes;
using FedDistill.Distillation.Configuration;
using FedDistill.Distillation.Training;

namespace FedDistill.Distillation.Tests.Configuration;

/// <summary>The defaults a new user gets from <c>feddistill distill</c> are the ones docs/configuration.md and docs/results.md state.</summary>
public sealed class ConfigurationDefaultsTests
{
    private const string MinimalConfig = """
        { "teachers": [ { "id": "a", "model": { "kind": "small-cnn" } } ], "student": { "model": { "kind": "mlp" } } }
        """;

    private static string TorchScriptFile => Path.Combine(AppContext.BaseDirectory, "Configuration", "fixtures", "teacher.pt");

    /// <summary>
    /// Every default that docs/configuration.md writes as a JSON literal in a section's table is the
    /// value a minimal config binds (defaults the docs describe in words, and settings bound as null
    /// and applied by the kind that reads them, such as <c>loss.alpha</c>, are skipped).
    /// </summary>
    [Theory]
    [InlineData("data")]
    [InlineData("loss")]
    [InlineData("ensemble")]
    [InlineData("trainer")]
    [InlineData("evaluation")]
    [InlineData("output")]
    public void Every_literal_default_in_the_configuration_reference_is_the_default_a_minimal_config_binds(string section)
    {
        var config = DistillationConfigLoader.Parse(MinimalConfig);
        var bound = JsonSerializer.SerializeToNode(config, DistillationConfigJson.Options)![section]!.AsObject();

        var documented = DocumentedDefaults(section);

        Assert.NotEmpty(documented);
        foreach (var (key, value) in documented)
        {
            if (bound[key] is not { } actual) continue;
            if (value is JsonObject expected)
            {
                foreach (var (name, member) in expected)
                    Assert.True(JsonNode.DeepEquals(member, actual[name]), $"{section}.{key}.{name}: the docs say {member?.ToJsonString()}, bound {actual[name]?.ToJsonString()}");
            }
            else if (value is JsonValue number && number.GetValueKind() == JsonValueKind.Number)
            {
                Assert.True(number.GetValue<double>() == actual.GetValue<double>(), $"{section}.{key}: the docs say {value.ToJsonString()}, bound {actual.ToJsonString()}");
            }
            else
            {
                Assert.True(JsonNode.DeepEquals(value, actual), $"{section}.{key}: the docs say {value.ToJsonString()}, bound {actual.ToJsonString()}");
            }
        }
    }

    /// <summary>The student's trainer and loss default to the plain PyTorch recipe docs/results.md compares against: Adam at 1e-3, constant, batch 128, no weight decay, KD at T = 4.</summary>
    [Fact]
    public void The_student_defaults_are_the_plain_PyTorch_recipe()
    {
        var config = DistillationConfigLoader.Parse(MinimalConfig);

        Assert.Equal(new TrainerOptions(), config.Trainer);
        Assert.Equal("adam", config.Trainer.Optimizer);
        Assert.Equal(1e-3, config.Trainer.LearningRate);
        Assert.Equal("constant", config.Trainer.Schedule);
        Assert.Equal(128, config.Trainer.BatchSize);
        Assert.Equal(0.0, config.Trainer.WeightDecay);
        Assert.Equal("kd", config.Loss.Kind);
        Assert.Equal(4.0, config.Loss.Temperature);
        Assert.Equal(config.Loss.Temperature, config.Ensemble.Temperature);
    }

    /// <summary>With every model built here, features are normalized unless the config says otherwise.</summary>
    [Fact]
    public void Features_are_normalized_by_default_when_every_model_is_built_here()
    {
        var config = DistillationConfigLoader.Parse(MinimalConfig);

        Assert.Null(config.Data.Normalize);
        Assert.True(config.NormalizesFeatures());
    }

    /// <summary>A TorchScript teacher keeps the data set's own scale by default: FedDistill cannot know what its maker fed it.</summary>
    [Fact]
    public void Features_keep_the_data_sets_scale_by_default_when_a_teacher_is_TorchScript()
    {
        var config = DistillationConfigLoader.Parse(ConfigText.Edit($"teachers[0].model=<remove>; teachers[0].torchScript={JsonSerializer.Serialize(TorchScriptFile)}"));

        Assert.False(config.NormalizesFeatures());
    }

    /// <summary>A TorchScript student keeps the data set's own scale by default, so the student.pt the run writes takes what PyTorch code feeds it.</summary>
    [Fact]
    public void Features_keep_the_data_sets_scale_by_default_when_the_student_is_TorchScript()
    {
        var config = DistillationConfigLoader.Parse(ConfigText.Edit($"student.model=<remove>; student.torchScript={JsonSerializer.Serialize(TorchScriptFile)}"));

        Assert.False(config.NormalizesFeatures());
    }

    /// <summary>An explicit <c>data.normalize</c> wins over the rule, both ways.</summary>
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void An_explicit_normalize_setting_wins_over_the_models(bool normalize, bool expected)
    {
        var withTorchScript = DistillationConfigLoader.Parse(ConfigText.Edit(
            $"student.model=<remove>; student.torchScript={JsonSerializer.Serialize(TorchScriptFile)}; data.normalize={(normalize ? "true" : "false")}"));
        var builtHere = DistillationConfigLoader.Parse(ConfigText.Edit($"data.normalize={(normalize ? "true" : "false")}"));

        Assert.Equal(expected, withTorchScript.NormalizesFeatures());
        Assert.Equal(expected, builtHere.NormalizesFeatures());
    }

    /// <summary>The keys of the first table under <c>## section</c> in docs/configuration.md whose default cell is a JSON literal in backticks, with that literal.</summary>
    private static List<(string Key, JsonNode Value)> DocumentedDefaults(string section)
    {
        var lines = File.ReadAllLines(Path.Combine(ConfigText.RepositoryRoot(), "docs", "configuration.md"));
        var start = Array.IndexOf(lines, $"## {section}");
        Assert.True(start >= 0, $"docs/configuration.md has no '## {section}' section");
        var defaults = new List<(string, JsonNode)>();
        var inTable = false;
        for (var i = start + 1; i < lines.Length && !lines[i].StartsWith("## ", StringComparison.Ordinal); i++)
        {
            if (!lines[i].StartsWith('|'))
            {
                if (inTable) break;
                continue;
            }
            inTable = true;
            var cells = lines[i].Split('|', StringSplitOptions.TrimEntries);
            // cells[0] is the empty text before the first '|': key, type, default, allowed follow.
            if (cells.Length < 5 || !IsCode(cells[1]) || !IsCode(cells[3])) continue;
            try
            {
                if (JsonNode.Parse(cells[3][1..^1]) is { } value) defaults.Add((cells[1][1..^1], value));
            }
            catch (JsonException)
            {
                // A default written as a name (`loss.temperature`), not a JSON literal.
            }
        }
        return defaults;
    }

    private static bool IsCode(string cell) => cell.Length >= 2 && cell[0] == '`' && cell[^1] == '`' && cell.Count(c => c == '`') == 2;
}
