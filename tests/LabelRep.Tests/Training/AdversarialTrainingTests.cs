using LabelRep.Evaluation;
using LabelRep.Runs;
using LabelRep.Training;
using Xunit;

namespace LabelRep.Tests.Training;

public class AdversarialTrainingTests
{
    [Theory]
    [InlineData("categorical", "training")]
    [InlineData("speech", "margin")]
    public void Adversarial_training_raises_pgd_accuracy_above_plain_training(string label, string loss)
    {
        // Given: the same tiny model and data trained plainly and with PGD examples at ε = 0.1
        string data = TestData.WriteFashionSubset(train: 2000, test: 200);
        var config = TestData.TinyConfig(data, label, epochs: 2) with { ValidationCount = 200 };
        var plain = TestRuns.Train(config, "plain-" + label);
        var robust = TestRuns.Train(config with { Adversarial = new AdversarialTraining { Eps = 0.1, Steps = 3, Loss = AttackLoss.Parse(loss) } }, "adv-" + label);

        // When: both are attacked with 10-step PGD at ε = 0.1
        double Robust(RunDirectory run)
        {
            using RunSetup setup = RunSetup.WithBestWeights(run, "cpu");
            var request = new AttackRequest { Attacks = new[] { "pgd" }, Eps = new[] { 0.1 }, Options = new Dictionary<string, double> { ["steps"] = 10 } };
            var report = new AttackRunner(setup.Classifier, null, request).Run(setup.Data.Test, setup.TestIndices, label);
            return report.Results.Where(r => r.Eps > 0).Min(r => r.Accuracy);
        }
        double plainRobust = Robust(plain), adversarialRobust = Robust(robust);

        // Then: a plain model keeps little at that radius; the adversarially trained one keeps clearly more
        Assert.True(adversarialRobust > plainRobust + 0.1, $"{label}: PGD accuracy {adversarialRobust:P1} adversarial vs {plainRobust:P1} plain");
    }
}
