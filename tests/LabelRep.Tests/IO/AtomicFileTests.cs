using System.Diagnostics;
using LabelRep.IO;
using Xunit;

namespace LabelRep.Tests.IO;

public class AtomicFileTests
{
    private static string Temporary(string folder, string file, string host, int pid) =>
        Path.Combine(folder, $"{file}.{host}-{pid}.{Guid.NewGuid():N}.tmp");

    /// <summary>The id of a process that has run and exited.</summary>
    private static int GonePid()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/true"))!;
        process.WaitForExit();
        return process.Id;
    }

    [Fact]
    public void A_write_sweeps_the_folder_of_temporaries_that_killed_writers_on_this_host_left_and_keeps_everything_else()
    {
        // Given: a folder with a killed writer's temporary, a live process's, another host's, and a user's own .tmp file
        string folder = TestData.TempDir("atomic");
        string here = AtomicFile.HostTag(Environment.MachineName), elsewhere = AtomicFile.HostTag(Environment.MachineName + "-other");
        using var live = Process.Start(new ProcessStartInfo("/bin/sleep", "60"))!;
        try
        {
            string orphan = Temporary(folder, "results.json", here, GonePid());
            string inFlight = Temporary(folder, "results.json", here, live.Id);
            string otherHost = Temporary(folder, "results.json", elsewhere, GonePid());
            string users = Path.Combine(folder, "notes.1.tmp");
            foreach (string f in new[] { orphan, inFlight, otherHost, users }) File.WriteAllText(f, "partial");

            // When: this process writes into the folder for the first time
            AtomicFile.WriteText(Path.Combine(folder, "other.json"), "{}");

            // Then: only the orphan is gone, and the new file is whole
            Assert.False(File.Exists(orphan), "a killed writer's temporary was left");
            Assert.True(File.Exists(inFlight), "a live writer's temporary was removed");
            Assert.True(File.Exists(otherHost), "another host's temporary was removed");
            Assert.True(File.Exists(users), "a file that is not ours was removed");
            Assert.Equal("{}", File.ReadAllText(Path.Combine(folder, "other.json")));
            Assert.DoesNotContain(Directory.GetFiles(folder), f => f.Contains($".{here}-{Environment.ProcessId}.", StringComparison.Ordinal));
        }
        finally
        {
            live.Kill();
            live.WaitForExit();
        }
    }

    [Fact]
    public void The_host_tag_is_eight_hex_digits_that_differ_between_hosts()
    {
        Assert.Matches("^[0-9a-f]{8}$", AtomicFile.HostTag("node-01.cluster.example"));
        Assert.Equal(AtomicFile.HostTag("node-01"), AtomicFile.HostTag("node-01"));
        Assert.NotEqual(AtomicFile.HostTag("node-01"), AtomicFile.HostTag("node-02"));
    }
}
