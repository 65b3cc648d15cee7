using System.Diagnostics;
using LabelRep.IO;
using Xunit;

namespace LabelRep.Tests.IO;

public class NpyTests
{
    [Fact]
    public void Float32_arrays_round_trip_with_their_shape()
    {
        string path = Path.Combine(TestData.TempDir("npy"), "a.npy");
        float[] data = Enumerable.Range(0, 2 * 3 * 4).Select(i => i * 0.5f).ToArray();
        Npy.Write(path, data, new[] { 2, 3, 4 });
        var (read, shape) = Npy.Read(path);
        Assert.Equal(new[] { 2, 3, 4 }, shape);
        Assert.Equal(data, read);
        Assert.Equal(0, (new FileInfo(path).Length - data.Length * 4) % 64); // header padded to 64 bytes
    }

    [Fact]
    public void Numpy_reads_what_we_write()
    {
        if (!File.Exists("/usr/bin/python3")) return;
        string path = Path.Combine(TestData.TempDir("npy"), "a.npy");
        Npy.Write(path, new[] { 1f, 2f, 3f, 4f, 5f, 6f }, new[] { 2, 3 });
        var psi = new ProcessStartInfo("/usr/bin/python3", new[] { "-c", $"import numpy as n; a=n.load('{path}'); print(a.dtype, a.shape, a[1,2])" }) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        if (p.ExitCode != 0 && p.StandardError.ReadToEnd().Contains("No module named 'numpy'")) return;
        Assert.Equal("float32 (2, 3) 6.0", output);
    }

    [Fact]
    public void Version_2_and_float64_are_read()
    {
        string path = Path.Combine(TestData.TempDir("npy"), "v2.npy");
        string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
        header = header.PadRight(64 - 12 - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0 };
        bytes.AddRange(BitConverter.GetBytes(header.Length));
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        foreach (double d in new[] { 1.5, -2.0, 3.25 }) bytes.AddRange(BitConverter.GetBytes(d));
        File.WriteAllBytes(path, bytes.ToArray());
        var (data, shape) = Npy.Read(path);
        Assert.Equal(new[] { 3 }, shape);
        Assert.Equal(new[] { 1.5f, -2f, 3.25f }, data);
    }

    [Theory]
    [InlineData("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", "dtype '<i4'")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", "dtype '>f4'")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", "Fortran order")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", "truncated")]
    public void Unsupported_or_broken_files_get_clear_errors(string header, string message)
    {
        string path = Path.Combine(TestData.TempDir("npy"), "bad.npy");
        header = header.PadRight(64 - 10 - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        bytes.AddRange(new byte[8]);
        File.WriteAllBytes(path, bytes.ToArray());
        var e = Assert.Throws<LabelRepException>(() => Npy.Read(path));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_bank_with_the_wrong_class_count_is_rejected()
    {
        string path = Path.Combine(TestData.TempDir("npy"), "bank.npy");
        Npy.Write(path, new float[5 * 64 * 64], new[] { 5, 64, 64 });
        var e = Assert.Throws<LabelRepException>(() => LabelRep.Labels.LabelBankFile.Read(path, "speech", 10));
        Assert.Contains("5 classes", e.Message);
    }
}
