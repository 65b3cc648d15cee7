using NetArchTest.Rules;
using Xunit;

namespace LabelRep.Tests;

/// <summary>docs/ARCHITECTURE.md's layering, checked on the compiled assemblies (every type reference, short names included).</summary>
public class ArchitectureTests
{
    /// <summary>The library's folders (namespaces) in docs/ARCHITECTURE.md's order: one may use only those before it.</summary>
    internal static readonly string[] Layers =
        { "Native", "IO", "Data", "Audio", "Labels", "Models", "Evaluation", "Runs", "Training", "Interop", "Studies", "Reporting" };

    private static string SourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "LabelRep");
            if (Directory.Exists(Path.Combine(candidate, "Labels"))) return candidate;
        }
        throw new InvalidOperationException("src/LabelRep not found above the test binaries");
    }

    /// <summary>The types of <paramref name="layer"/> that use a later layer, as "Type → the later namespaces it uses".</summary>
    internal static IReadOnlyList<string> Violations(System.Reflection.Assembly library, int layer)
    {
        string[] later = Layers.Skip(layer + 1).Select(l => "LabelRep." + l).ToArray();
        if (later.Length == 0) return Array.Empty<string>();
        var result = Types.InAssembly(library).That().ResideInNamespace("LabelRep." + Layers[layer])
            .ShouldNot().HaveDependencyOnAny(later).GetResult();
        return result.IsSuccessful ? Array.Empty<string>() : (result.FailingTypeNames ?? Array.Empty<string>()).ToArray();
    }

    [Fact]
    public void Each_folder_uses_only_the_folders_before_it()
    {
        var library = typeof(LabelRepException).Assembly;
        var violations = Enumerable.Range(0, Layers.Length).SelectMany(i => Violations(library, i).Select(t => $"{t} (in {Layers[i]}) uses a later folder")).ToArray();
        Assert.Empty(violations);
    }

    [Fact]
    public void Every_folder_and_namespace_of_the_library_is_a_layer()
    {
        string root = SourceRoot();
        foreach (string folder in Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Where(f => f is not ("bin" or "obj")))
            Assert.True(Layers.Contains(folder), $"src/LabelRep/{folder} is not in docs/ARCHITECTURE.md's flow; add it to both");
        foreach (string? ns in typeof(LabelRepException).Assembly.GetTypes().Select(t => t.Namespace).Distinct())
        {
            if (ns is null || ns == "LabelRep" || !ns.StartsWith("LabelRep.", StringComparison.Ordinal)) continue;
            Assert.True(Layers.Contains(ns.Split('.')[1]), $"namespace {ns} is not a layer of docs/ARCHITECTURE.md");
        }
    }

    [Fact]
    public void The_library_never_uses_the_command_line()
    {
        var result = Types.InAssembly(typeof(LabelRepException).Assembly).ShouldNot().HaveDependencyOn("LabelRep.Cli").GetResult();
        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? Array.Empty<string>()));
    }

    /// <summary>
    /// The one-allocating-thread rule by construction: no type of the library or the CLI starts a thread, queues pool work,
    /// runs a parallel loop or sets a timer, except TorchRuntime, which runs the work a program hands it beside the loading
    /// of libtorch and joins it before the first tensor can exist. (Event handlers of a child process's output and signal
    /// handlers run on pool threads the runtime owns; they only pass a line on or cancel.)
    /// </summary>
    [Fact]
    public void No_type_but_the_runtime_s_loader_starts_a_thread()
    {
        string[] threading = { "System.Threading.Thread", "System.Threading.ThreadPool", "System.Threading.Tasks.Parallel", "System.Threading.Timer",
            "System.Threading.Tasks.TaskFactory", "System.Timers" };
        foreach (var assembly in new[] { typeof(LabelRepException).Assembly, typeof(LabelRep.Cli.Program).Assembly })
        {
            var result = Types.InAssembly(assembly).That().DoNotHaveNameStartingWith("TorchRuntime").ShouldNot().HaveDependencyOnAny(threading).GetResult();
            Assert.True(result.IsSuccessful, $"{string.Join(", ", result.FailingTypeNames ?? Array.Empty<string>())} start(s) a thread; hand the work to TorchRuntime.AlongsideLoading or run it on the main thread");
        }
    }

    [Fact]
    public void Every_layer_in_the_list_is_in_the_architecture_document()
    {
        string doc = File.ReadAllText(Path.Combine(SourceRoot(), "..", "..", "docs", "ARCHITECTURE.md"));
        foreach (string layer in Layers) Assert.Contains($"**{layer}/**", doc);
    }

    [Fact]
    public void The_repository_stands_alone_every_document_link_resolves_and_nothing_points_outside_it()
    {
        string repo = Path.GetFullPath(Path.Combine(SourceRoot(), "..", ".."));
        var documents = new[] { Path.Combine(repo, "README.md") }.Concat(Directory.GetFiles(Path.Combine(repo, "docs"), "*.md")).ToArray();
        var link = new System.Text.RegularExpressions.Regex(@"\]\(([^)#\s]+)(#[^)]*)?\)");
        var broken = new List<string>();
        foreach (string doc in documents)
        {
            foreach (System.Text.RegularExpressions.Match m in link.Matches(File.ReadAllText(doc)))
            {
                string target = m.Groups[1].Value;
                if (target.Contains("://", StringComparison.Ordinal)) continue;
                string full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(doc)!, target));
                if (!full.StartsWith(repo, StringComparison.Ordinal) || !(File.Exists(full) || Directory.Exists(full)))
                    broken.Add($"{Path.GetRelativePath(repo, doc)} links to {target}");
            }
        }
        Assert.Empty(broken);

        string[] folders = { "src", "tests", "docs", "bench", "scripts", "interop" };
        var outside = folders.Select(f => Path.Combine(repo, f)).Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal) && !f.EndsWith("ArchitectureTests.cs", StringComparison.Ordinal))
            .Where(f => Path.GetExtension(f) is ".cs" or ".md" or ".py" or ".sh" or ".yaml" or ".json")
            .Concat(documents)
            .Where(f => File.ReadAllText(f).Contains("../shared", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(repo, f)).ToArray();
        Assert.Empty(outside);
    }
}
