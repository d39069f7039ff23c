using FedDistill.Distillation.Configuration;

namespace FedDistill.Distillation.Tests.Configuration;

public sealed class DistillationConfigValidatorTests
{
    private static string ExistingFile => Path.Combine(AppContext.BaseDirectory, "Configuration", "fixtures", "teacher.pt");

    private static IReadOnlyList<string> ErrorsOf(string json) =>
        Assert.Throws<DistillationConfigException>(() => DistillationConfigLoader.Parse(json, "config.json")).Errors;

    [Fact]
    public void The_base_config_of_these_tests_is_valid()
    {
        var config = DistillationConfigLoader.Parse(ConfigText.Valid);

        Assert.Empty(DistillationConfigValidator.Validate(config));
    }

    [Theory]
    // data
    [InlineData("data.dataset=\"mnist\"", "$.data.dataset is 'mnist'; allowed: fashion-mnist, breast-cancer.")]
    [InlineData("data.directory=\"/no/such/directory\"", "$.data.directory '/no/such/directory' does not exist.")]
    [InlineData("data.publicCount=0", "$.data.publicCount is 0; it must be at least 1.")]
    [InlineData("data.publicCount=59999", "$.data.publicCount is 59999 but fashion-mnist has 60000 training examples and the 2 teachers trained here need at least 1 private examples each; allowed: 1 to 59998.")]
    [InlineData("data.trainLimit=1010", "$.data.publicCount is 1000 but fashion-mnist has 1010 training examples (after $.data.trainLimit) and the 2 teachers trained here need at least 10 private examples each; allowed: 1 to 990.", "data.partition={\"name\": \"dirichlet\", \"minPartSize\": 10}")]
    [InlineData("data.partition={\"name\": \"dirichlet\", \"minPartSize\": 40000}", "$.data.publicCount cannot fit: fashion-mnist has 60000 training examples and the 2 teachers trained here need at least 40000 private examples each (80000 in all)")]
    [InlineData("data.validationCount=2000", "$.data.validationCount is 2000; the validation examples are the labeled head of the public split, so it can be at most $.data.publicCount (1000).")]
    [InlineData("data.validationCount=-1", "$.data.validationCount is -1; it must be at least 0.")]
    [InlineData("data.trainLimit=0", "$.data.trainLimit is 0; it must be at least 1, or left out to use every training example.")]
    [InlineData("data.testLimit=0", "$.data.testLimit is 0; it must be at least 1, or left out to use every test example.")]
    [InlineData("data.partition.name=\"random\"", "$.data.partition.name is 'random'; allowed: iid, dirichlet, shards.")]
    [InlineData("data.partition.dirichletAlpha=-1", "$.data.partition.dirichletAlpha must be positive and finite; got -1.")]
    // teachers
    [InlineData("teachers=[]", "$.teachers is empty; give at least one teacher")]
    [InlineData("teachers[0].id=\"\"", "$.teachers[0].id is missing or empty; every teacher needs a unique id.")]
    [InlineData("teachers[1].id=\"a\"", "$.teachers[1].id 'a' is already used by another teacher; ids must be unique.")]
    [InlineData("teachers[0].model=<remove>", "$.teachers[0] has neither 'model' nor 'torchScript'; give exactly one.")]
    [InlineData("teachers[0].torchScript=\"/no/such/teacher.pt\"", "$.teachers[0] has both 'model' and 'torchScript'; give exactly one.")]
    [InlineData("teachers[0].model=<remove>; teachers[0].torchScript=\"/no/such/teacher.pt\"", "$.teachers[0].torchScript: no file at '/no/such/teacher.pt'.")]
    [InlineData("teachers[0].model.kind=\"cnn\"", "$.teachers[0].model.kind is 'cnn'; allowed: mlp, small-cnn, lenet5, resnet8, resnet20.")]
    [InlineData("teachers[0].model.classes=3", "$.teachers[0].model.classes is 3 but fashion-mnist has 10 classes; allowed: 10.")]
    [InlineData("teachers[0].model.hiddenWidths=[8]", "$.teachers[0].model.hiddenWidths is set; it applies only to mlp, not small-cnn.")]
    [InlineData("teachers[0].model.imageSize=32", "$.teachers[0].model.imageSize is 32 but the examples are 28 pixels high (shape [1, 28, 28]).")]
    [InlineData("teachers[0].checkpoint=\"/no/such/teacher.safetensors\"", "$.teachers[0].checkpoint: no file at '/no/such/teacher.safetensors'.")]
    [InlineData("teachers[0].trainer={\"epochs\": 0}", "$.teachers[0].trainer.epochs is 0; it must be at least 1.")]
    [InlineData("teachers[0].trainer={\"earlyStoppingPatience\": 2}", "$.teachers[0].trainer.earlyStoppingPatience is 2; teachers train on private data without validation examples, allowed: 0.")]
    // student
    [InlineData("student=<remove>", "$.student is missing; give it 'model' (a network built here) or 'torchScript' (a PyTorch module to train).")]
    [InlineData("student.model=<remove>", "$.student has neither 'model' nor 'torchScript'; give exactly one.")]
    [InlineData("student.torchScript=\"/no/such/student.pt\"", "$.student has both 'model' and 'torchScript'; give exactly one.")]
    [InlineData("student.model=<remove>; student.torchScript=\"/no/such/student.pt\"", "$.student.torchScript: no file at '/no/such/student.pt'.")]
    [InlineData("student.model.dropout=0.5", "$.student.model.dropout is 0.5; mlp has no dropout, allowed: 0.")]
    [InlineData("student.model={\"kind\": \"small-cnn\", \"channels\": [8, 16]}", "$.student.model.channels is [8, 16]; it must be three positive numbers: first conv channels, second conv channels, hidden width.")]
    // loss
    [InlineData("loss.kind=\"fitnets\"", "$.loss.kind is 'fitnets'; allowed: kd, dkd, rkd, hard-labels.")]
    [InlineData("loss.temperature=0", "$.loss.temperature is 0; it must be a positive finite number.")]
    [InlineData("loss.alpha=0.5", "$.loss.alpha applies only to kind 'dkd', not 'kd'; remove it.")]
    [InlineData("loss.labelSmoothing=0.1", "$.loss.labelSmoothing applies only to kind 'hard-labels', not 'kd'; remove it.")]
    [InlineData("loss.kind=\"dkd\"; loss.beta=-1", "$.loss.beta is -1; it must be a finite number ≥ 0.")]
    [InlineData("loss.kind=\"hard-labels\"; loss.labelSmoothing=1", "$.loss.labelSmoothing is 1; it must lie in [0, 1).")]
    [InlineData("loss.kind=\"rkd\"; loss.distanceWeight=0; loss.angleWeight=0", "$.loss.distanceWeight and $.loss.angleWeight are both 0; the loss would be zero, so make at least one positive.")]
    // ensemble
    [InlineData("ensemble.name=\"average\"", "$.ensemble.name is 'average'; allowed: mean-logits, mean-probabilities, fixed-weights, accuracy-weighted, per-class-weighted, entropy-weighted, ds-fl, majority-vote, median, trimmed-mean, pate-gnmax.")]
    [InlineData("ensemble.temperature=2", "$.ensemble.temperature is 2 but $.loss.temperature is 4; they must be equal (docs/ensembles.md), so leave $.ensemble.temperature out and it follows the loss.")]
    [InlineData("ensemble.trimFraction=0.7", "$.ensemble.trimFraction must lie in [0, 0.5); got 0.7.")]
    [InlineData("ensemble.name=\"fixed-weights\"; ensemble.fixedWeights={\"a\": 1}", "$.ensemble.fixedWeights has no weight for teacher 'b'; fixed-weights needs one per teacher.")]
    [InlineData("ensemble.name=\"fixed-weights\"; ensemble.fixedWeights={\"a\": 1, \"b\": 1, \"z\": 1}", "$.ensemble.fixedWeights.z names no teacher; teachers: a, b.")]
    [InlineData("ensemble.fixedWeights={\"a\": 1}", "$.ensemble.fixedWeights applies only to name 'fixed-weights', not 'mean-logits'; remove it.")]
    [InlineData("ensemble.name=\"fixed-weights\"; ensemble.fixedWeights={\"a\": -1, \"b\": 1}", "$.ensemble.fixedWeights['a'] must be non-negative and finite; got -1.")]
    [InlineData("ensemble.name=\"accuracy-weighted\"; data.validationCount=0", "$.ensemble.name is 'accuracy-weighted', which weights teachers by their accuracy on the validation examples, but $.data.validationCount is 0; set it to at least 1.")]
    // student trainer, evaluation, output
    [InlineData("trainer.optimizer=\"rmsprop\"", "$.trainer.optimizer is rmsprop; it must be one of adam, adamw, sgd.")]
    [InlineData("trainer.learningRate=0", "$.trainer.learningRate is 0; it must be a positive finite number.")]
    [InlineData("trainer.earlyStoppingPatience=2; data.validationCount=0", "$.trainer.earlyStoppingPatience is 2 but $.data.validationCount is 0; early stopping needs validation examples")]
    [InlineData("evaluation.topK=0", "$.evaluation.topK is 0; it must be at least 1.")]
    [InlineData("output.directory=\"\"", "$.output.directory is empty; give a directory path (default: artifacts/distill).")]
    public void Each_invalid_setting_is_named_by_its_key_path(string edits, string expected, string? moreEdits = null)
    {
        var errors = ErrorsOf(ConfigText.Edit(moreEdits is null ? edits : $"{moreEdits}; {edits}"));

        Assert.Contains(errors, error => error.StartsWith("config.json: " + expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_breast_cancer_run_needs_two_class_models_and_a_smaller_public_split()
    {
        var errors = ErrorsOf(ConfigText.Edit("data.dataset=\"breast-cancer\"; data.publicCount=500; teachers[0].model.kind=\"mlp\""));

        Assert.Contains("config.json: $.data.publicCount is 500 but breast-cancer has 455 training examples and the 2 teachers trained here need at least 1 private examples each; allowed: 1 to 453.", errors);
        Assert.Contains("config.json: $.teachers[0].model.classes is 10 but breast-cancer has 2 classes; allowed: 2.", errors);
        Assert.Contains("config.json: $.student.model.classes is 10 but breast-cancer has 2 classes; allowed: 2.", errors);
    }

    [Fact]
    public void An_image_model_for_table_data_names_the_example_shape()
    {
        var errors = ErrorsOf(ConfigText.Edit("data.dataset=\"breast-cancer\"; data.publicCount=100; data.validationCount=50"));

        Assert.Contains("config.json: $.teachers[0].model.kind is 'small-cnn', which needs [channels, height, width] examples; the examples have shape [30].", errors);
    }

    [Fact]
    public void A_trainer_for_a_teacher_that_is_not_trained_here_is_an_error()
    {
        var errors = ErrorsOf(ConfigText.Edit($"teachers[0].checkpoint=\"{ExistingFile}\"; teachers[0].trainer={{\"epochs\": 2}}"));

        Assert.Equal(["config.json: $.teachers[0].trainer applies only to a teacher trained here ('model' without 'checkpoint'); remove it."], errors);
    }

    [Fact]
    public void A_checkpoint_for_a_torchscript_teacher_is_an_error()
    {
        var errors = ErrorsOf(ConfigText.Edit($"teachers[0].model=<remove>; teachers[0].torchScript=\"{ExistingFile}\"; teachers[0].checkpoint=\"{ExistingFile}\""));

        Assert.Equal(["config.json: $.teachers[0].checkpoint applies only to a teacher given by 'model'; a TorchScript teacher is used as it is."], errors);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var errors = ErrorsOf(ConfigText.Edit("data.publicCount=0; loss.kind=\"fitnets\"; trainer.epochs=0; teachers[1].id=\"a\""));

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, error => error.StartsWith("config.json: $.data.publicCount is 0", StringComparison.Ordinal));
        Assert.Contains(errors, error => error.StartsWith("config.json: $.loss.kind is 'fitnets'", StringComparison.Ordinal));
        Assert.Contains(errors, error => error.StartsWith("config.json: $.trainer.epochs is 0", StringComparison.Ordinal));
        Assert.Contains(errors, error => error.StartsWith("config.json: $.teachers[1].id 'a'", StringComparison.Ordinal));
    }

    [Fact]
    public void The_runner_refuses_an_invalid_config_built_in_code()
    {
        var config = DistillationConfigLoader.Parse(ConfigText.Valid) with { Teachers = [] };

        var error = Assert.Throws<DistillationConfigException>(() => new CentralizedDistillation(config));

        Assert.StartsWith("$.teachers is empty;", Assert.Single(error.Errors));
    }
}
