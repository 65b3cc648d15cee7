using LabelRep.Data;
using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Labels;
using LabelRep.Models;
using LabelRep.Reporting;
using LabelRep.Studies.Executors;
using Xunit;

namespace LabelRep.Tests;

/// <summary>Every registry is a <see cref="Registry{T}"/>, and each one's entries hold what the registry promises.</summary>
public class RegistryTests
{
    public static TheoryData<string> Registries => new() { "label kind", "attack", "suite", "model", "dataset", "executor", "report section" };

    private static (IReadOnlyList<string> Names, Func<string, IRegistered> Get) Of(string registry) => registry switch
    {
        "label kind" => (LabelKinds.Registry.Names, LabelKinds.Registry.Get),
        "attack" => (AttackRegistry.Attacks.Names, AttackRegistry.Attacks.Get),
        "suite" => (AttackSuite.Named.Names, AttackSuite.Named.Get),
        "model" => (ModelRegistry.Backbones.Names, ModelRegistry.Backbones.Get),
        "dataset" => (DatasetRegistry.Datasets.Names, DatasetRegistry.Datasets.Get),
        "executor" => (Executors.Registry.Names, Executors.Registry.Get),
        "report section" => (StudyReport.Registry.Names, StudyReport.Registry.Get),
        _ => throw new ArgumentException(registry),
    };

    [Theory]
    [MemberData(nameof(Registries))]
    public void Every_entry_is_found_by_its_own_name_and_an_unknown_name_lists_them_all(string registry)
    {
        var (names, get) = Of(registry);
        Assert.NotEmpty(names);
        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (string name in names) Assert.Equal(name, get(name).Name);
        var e = Assert.Throws<LabelRepException>(() => get("no-such-entry"));
        Assert.StartsWith($"unknown {registry} 'no-such-entry'; valid: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        foreach (string name in names) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Every_dataset_states_its_training_size_or_that_reading_tells_it_and_opens_a_reader_of_its_own_name()
    {
        foreach (IDataset dataset in DatasetRegistry.Datasets.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(dataset.Description));
            if (dataset is ImageFolderDataset)
            {
                Assert.Null(dataset.TrainImages);
                continue;
            }
            Assert.True(dataset.TrainImages > 0, dataset.Name);
            Assert.Equal(dataset.Name, dataset.Open(null).Info.Name);
            Assert.True(dataset.Open(null).Info.ValidationCount < dataset.TrainImages, dataset.Name);
        }
        Assert.IsType<ImageFolderDataset>(DatasetRegistry.Get("folder:/any/where"));
    }

    [Fact]
    public void Every_backbone_has_a_description_and_builds_for_one_and_three_channels()
    {
        foreach (IBackbone backbone in ModelRegistry.Backbones.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(backbone.Description));
            foreach (int channels in new[] { 1, 3 })
            {
                using Backbone made = backbone.Create(channels);
                Assert.True(made.FeatureSize > 0, backbone.Name);
            }
        }
    }

    [Fact]
    public void Every_named_suite_lists_known_members_whose_attacks_are_registered()
    {
        foreach (ISuiteRecipe recipe in AttackSuite.Named.All)
        {
            AttackSuite suite = AttackSuite.Parse(recipe.Name);
            Assert.Equal(recipe.Members, suite.Attacks.Select(m => m.Name).ToArray());
            foreach (SuiteMember member in suite.Attacks) Assert.Equal(member.Attack, AttackRegistry.Get(member.Attack).Name);
        }
    }

    [Fact]
    public void Every_executor_declares_its_options_as_flags_of_the_study_command_and_local_runs_here()
    {
        var (code, output, _) = Cli.CliRunner.Run("study", "--help");
        Assert.Equal(0, code);
        foreach (IExecutorRecipe executor in Executors.Registry.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(executor.Description));
            Assert.Contains($"{executor.Name}: {executor.Description}", output);
            foreach (ExecutorOption option in executor.Options) Assert.Contains($"--{option.Name} <", output);
        }
        Assert.Equal("local", Executors.Registry.Names[0]);
        Assert.True(Executors.Registry.Get("local").RunsHere);
        Assert.Equal("local", Executors.Of(TestData.TempDir("no-study")).Name);
    }

    [Fact]
    public void Report_sections_have_distinct_places_and_the_claims_come_first()
    {
        var sections = StudyReport.Sections;
        Assert.Equal(sections.Count, sections.Select(s => s.Order).Distinct().Count());
        Assert.Equal("claims", sections[0].Name);
        Assert.Equal(sections.OrderBy(s => s.Order).Select(s => s.Name), sections.Select(s => s.Name));
    }
}
