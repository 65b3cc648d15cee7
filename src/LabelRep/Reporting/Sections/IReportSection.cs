using LabelRep.Labels;
using LabelRep.Studies;

namespace LabelRep.Reporting.Sections;

/// <summary>One part of the study report. A new section is one class here plus one line in <see cref="StudyReport.Sections"/>.</summary>
public interface IReportSection
{
    void Write(ReportDocument doc, StudyData data);
}

/// <summary>What every section reads: the study's database and the rows it holds, read once.</summary>
public sealed class StudyData
{
    public StudyData(StudyStore store)
    {
        Store = store;
        Spec = store.GetValue("spec") is { } json ? StudySpec.FromJson(json, store.Path) : new StudySpec();
        Runs = store.Results();
        Attacks = store.AttackResults();
        Labels = LabelKinds.Names.Where(l => Runs.Any(r => r.Label == l))
            .Concat(Runs.Select(r => r.Label).Distinct().Where(l => !LabelKinds.Names.Contains(l))).ToArray();
    }

    public StudyStore Store { get; }
    public StudySpec Spec { get; }
    public IReadOnlyList<RunResult> Runs { get; }
    public IReadOnlyList<RunAttackResult> Attacks { get; }

    /// <summary>The study's label kinds in the registry's order (the baseline first).</summary>
    public string[] Labels { get; }

    /// <summary>The training fraction of the runs that are attacked and embedded.</summary>
    public double MainFraction => Spec.MainFraction;
}
