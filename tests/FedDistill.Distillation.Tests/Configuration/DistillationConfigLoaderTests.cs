using FedDistill.Distillation.Configuration;

namespace FedDistill.Distillation.Tests.Configuration;

public sealed class DistillationConfigLoaderTests
{
    private static DistillationConfigException Invalid(string json) =>
        Assert.Throws<DistillationConfigException>(() => DistillationConfigLoader.Parse(json, "config.json"));

    [Fact]
    public void A_mistyped_key_is_named_with_its_path_and_the_keys_allowed_there()
    {
        var error = Invalid(ConfigText.Edit("trainer.epochz=3"));

        Assert.Equal(
            "config.json: unknown key 'epochz' at $.trainer; allowed: epochs, batchSize, learningRate, optimizer, weightDecay, momentum, " +
            "schedule, warmupSteps, seed, maxSteps, earlyStoppingPatience, checkpointPath, device. Did you mean 'epochs'?",
            Assert.Single(error.Errors));
    }

    [Fact]
    public void A_mistyped_key_inside_an_array_element_names_the_element()
    {
        var error = Invalid(ConfigText.Edit("teachers[1].model.hiddenWidth=[8]"));

        var message = Assert.Single(error.Errors);
        Assert.StartsWith("config.json: unknown key 'hiddenWidth' at $.teachers[1].model; allowed: kind, inputChannels, imageSize, classes, hiddenWidths, channels, widthMultiplier, dropout.", message);
        Assert.EndsWith("Did you mean 'hiddenWidths'?", message);
    }

    [Fact]
    public void An_unknown_top_level_key_lists_the_sections()
    {
        var error = Invalid(ConfigText.Edit("teacher=[]"));

        Assert.StartsWith("config.json: unknown key 'teacher' at $; allowed: data, teachers, student, loss, ensemble, trainer, evaluation, output.",
            Assert.Single(error.Errors));
    }

    [Fact]
    public void Every_unknown_key_is_reported_at_once()
    {
        var error = Invalid(ConfigText.Edit("data.publicCont=5; loss.temprature=2"));

        Assert.Equal(2, error.Errors.Count);
        Assert.Contains(error.Errors, message => message.Contains("unknown key 'publicCont' at $.data;", StringComparison.Ordinal));
        Assert.Contains(error.Errors, message => message.Contains("unknown key 'temprature' at $.loss;", StringComparison.Ordinal));
    }

    [Fact]
    public void Keys_are_case_sensitive_camelCase()
    {
        var error = Invalid(ConfigText.Edit("trainer.Epochs=3"));

        Assert.Contains("unknown key 'Epochs' at $.trainer;", Assert.Single(error.Errors));
        Assert.EndsWith("Did you mean 'epochs'?", error.Errors[0]);
    }

    [Fact]
    public void A_duplicate_key_is_an_error()
    {
        var error = Invalid("""{ "loss": { "temperature": 2, "temperature": 3 } }""");

        Assert.Contains(error.Errors, message => message == "config.json: duplicate key 'temperature' at $.loss; give each key once.");
    }

    [Fact]
    public void A_value_of_the_wrong_kind_names_its_path_and_the_expected_kind()
    {
        var error = Invalid(ConfigText.Edit("trainer.epochs=\"five\"; data.normalize=1; data.seed=-1"));

        Assert.Contains("config.json: $.trainer.epochs must be a whole number; got the string \"five\".", error.Errors);
        Assert.Contains("config.json: $.data.normalize must be true or false; got the number 1.", error.Errors);
        Assert.Contains("config.json: $.data.seed must be a whole number ≥ 0; got the number -1.", error.Errors);
    }

    [Fact]
    public void A_section_that_is_not_an_object_names_its_keys()
    {
        var error = Invalid(ConfigText.Edit("output=\"out\""));

        Assert.Equal("config.json: $.output must be an object with keys directory; got the string \"out\".", Assert.Single(error.Errors));
    }

    [Fact]
    public void Null_is_rejected_where_the_setting_cannot_be_null()
    {
        var error = Invalid(ConfigText.Edit("data=null"));

        Assert.Equal("config.json: $.data must not be null; leave the key out to take its default.", Assert.Single(error.Errors));
    }

    [Fact]
    public void A_model_without_its_required_kind_is_an_error()
    {
        var error = Invalid(ConfigText.Edit("student.model={\"classes\": 10}"));

        Assert.Equal("config.json: missing key 'kind' at $.student.model; it is required.", Assert.Single(error.Errors));
    }

    [Fact]
    public void Invalid_json_gives_the_line_and_byte_of_the_problem()
    {
        const string json = "{\n  \"loss\": { \"kind\": \"kd\" }\n  \"trainer\": {}\n}";

        var error = Invalid(json);

        var message = Assert.Single(error.Errors);
        Assert.StartsWith("config.json: invalid JSON at line 3, byte 3:", message);
        Assert.DoesNotContain("LineNumber", message);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        const string json = """
            // a quick run
            {
              "data": { "publicCount": 1000, "validationCount": 100, }, /* trailing comma above */
              "teachers": [ { "id": "a", "model": { "kind": "mlp" } }, ],
              "student": { "model": { "kind": "mlp" } },
            }
            """;

        var config = DistillationConfigLoader.Parse(json);

        Assert.Equal("a", Assert.Single(config.Teachers).Id);
    }

    [Fact]
    public void A_minimal_config_takes_every_default()
    {
        var config = DistillationConfigLoader.Parse("""
            { "teachers": [ { "id": "a", "model": { "kind": "small-cnn" } } ], "student": { "model": { "kind": "mlp" } } }
            """);

        Assert.Equal("fashion-mnist", config.Data.Dataset);
        Assert.Null(config.Data.Directory);
        Assert.Equal(10_000, config.Data.PublicCount);
        Assert.Equal(1_000, config.Data.ValidationCount);
        Assert.Equal("iid", config.Data.Partition.Name);
        Assert.Null(config.Data.TrainLimit);
        Assert.Null(config.Data.TestLimit);
        Assert.Null(config.Data.Normalize);
        Assert.True(config.NormalizesFeatures()); // every model is built here
        Assert.Equal(1UL, config.Data.Seed);
        var teacher = Assert.Single(config.Teachers);
        Assert.Equal(10, teacher.Model!.Classes);
        Assert.Equal(1.0, teacher.Model.WidthMultiplier);
        Assert.Null(teacher.Trainer);
        Assert.True(teacher.NeedsTraining());
        Assert.Equal("kd", config.Loss.Kind);
        Assert.Equal(4.0, config.Loss.Temperature);
        Assert.Null(config.Loss.Alpha);
        Assert.Equal("mean-logits", config.Ensemble.Name);
        Assert.Equal(4.0, config.Ensemble.Temperature);
        Assert.Equal(0.1, config.Ensemble.VoteSmoothing);
        Assert.Empty(config.Ensemble.FixedWeights);
        Assert.Equal(new FedDistill.Distillation.Training.TrainerOptions(), config.Trainer);
        Assert.True(config.Evaluation.MeasureSpeed);
        Assert.Equal(5, config.Evaluation.TopK);
        Assert.Equal("artifacts/distill", config.Output.Directory);
    }

    [Fact]
    public void The_ensemble_temperature_follows_the_loss_temperature_when_left_out()
    {
        var config = DistillationConfigLoader.Parse(ConfigText.Edit("loss.temperature=2; ensemble.name=\"mean-probabilities\""));

        Assert.Equal(2.0, config.Ensemble.Temperature);
    }

    [Fact]
    public void Trainer_settings_bind_to_the_trainer_options()
    {
        var config = DistillationConfigLoader.Parse(ConfigText.Edit(
            "trainer={\"epochs\": 3, \"batchSize\": 64, \"optimizer\": \"sgd\", \"maxSteps\": 100, \"seed\": 9}"));

        Assert.Equal(new FedDistill.Distillation.Training.TrainerOptions(Epochs: 3, BatchSize: 64, Optimizer: "sgd", MaxSteps: 100, Seed: 9), config.Trainer);
    }

    [Fact]
    public void Loading_a_missing_file_is_a_configuration_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"feddistill-missing-{Guid.NewGuid():N}.json");

        var error = Assert.Throws<DistillationConfigException>(() => DistillationConfigLoader.Load(path));

        Assert.Equal($"{path}: no such configuration file.", Assert.Single(error.Errors));
    }

    [Fact]
    public void Messages_from_a_file_start_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"feddistill-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, ConfigText.Edit("trainer.epochz=3"));
        try
        {
            var error = Assert.Throws<DistillationConfigException>(() => DistillationConfigLoader.Load(path));
            Assert.StartsWith($"{path}: unknown key 'epochz' at $.trainer;", Assert.Single(error.Errors));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_documented_example_config_is_valid()
    {
        var config = DistillationConfigLoader.Load(Path.Combine(ConfigText.RepositoryRoot(), "docs", "examples", "distill-fashion-mnist.json"));

        Assert.Equal(3, config.Teachers.Count);
        Assert.All(config.Teachers, teacher => Assert.Equal("small-cnn", teacher.Model!.Kind));
        Assert.Equal("dirichlet", config.Data.Partition.Name);
        Assert.Equal(0.5, config.Data.Partition.DirichletAlpha);
        Assert.Equal("mean-probabilities", config.Ensemble.Name);
        Assert.Equal(("kd", 4.0), (config.Loss.Kind, config.Loss.Temperature));
        Assert.Equal(4.0, config.Ensemble.Temperature);
        Assert.Equal("small-cnn", config.Student!.Model!.Kind);
    }
}
