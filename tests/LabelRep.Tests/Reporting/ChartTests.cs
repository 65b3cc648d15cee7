using LabelRep.Evaluation;
using LabelRep.Reporting;
using SkiaSharp;
using Xunit;

namespace LabelRep.Tests.Reporting;

public class ChartTests
{
    /// <summary>
    /// A worst case equals the strongest attack at every ε, so their lines coincide. The worst case is drawn first,
    /// wide and pale, so the attack's own line (the second colour of the palette, orange) stays visible on top of it.
    /// </summary>
    [Fact]
    public void A_series_that_coincides_with_the_worst_case_stays_visible()
    {
        double[] eps = { 0, 0.1, 0.2, 0.3 }, accuracy = { 0.9, 0.6, 0.3, 0.1 };
        var series = new List<PlotSeries>
        {
            new("fgsm/training", eps, new[] { 0.9, 0.7, 0.5, 0.4 }),
            new("bim/training", eps, accuracy),
            new("worst-case/all", eps, accuracy, Envelope: true),
        };
        int orange = Pixels(Charts.Lines("test", "ε", "accuracy", series, yRange: (0, 1)), Orange);
        Assert.True(orange > 500, $"only {orange} orange pixels: the attack's line is hidden under the worst case");
    }

    /// <summary>
    /// Two ordinary lines with the same points (a transfer attack's two losses, when the source's adversarial images
    /// fool the target alike): the first drawn (blue) becomes a rim around the second (orange), so both stay visible:
    /// at least half as many blue pixels as when the other line runs elsewhere.
    /// </summary>
    [Fact]
    public void Two_lines_with_the_same_points_both_stay_visible()
    {
        double[] eps = { 0, 0.1, 0.2, 0.3 }, accuracy = { 0.9, 0.6, 0.3, 0.1 };
        int Blue(IReadOnlyList<PlotSeries> s) => Pixels(Charts.Lines("test", "ε", "accuracy", s, yRange: (0, 1)), BlueColour);
        int coinciding = Blue(new PlotSeries[] { new("transfer/ce", eps, accuracy), new("transfer/margin", eps, accuracy) });
        int apart = Blue(new PlotSeries[] { new("transfer/ce", eps, accuracy), new("transfer/margin", eps, new[] { 0.9, 0.8, 0.7, 0.6 }) });
        Assert.True(coinciding > apart / 2, $"{coinciding} blue pixels where the lines coincide, {apart} where they do not: the first line is hidden");
        // A line that coincides with nothing keeps its usual width.
        int alone = Blue(new PlotSeries[] { new("transfer/ce", eps, accuracy) });
        Assert.InRange(apart, alone * 0.8, alone * 1.2);
    }

    /// <summary>A cascade's own row equals its last member's at every ε; the cascade is the band, the member the line on top.</summary>
    [Fact]
    public void A_cascade_is_drawn_as_a_band_under_its_last_member()
    {
        var rows = new List<AttackResult>();
        double[] eps = { 0, 1 / 255.0, 4 / 255.0, 8 / 255.0 }, afterFirst = { 0.9, 0.7, 0.4, 0.2 }, final = { 0.9, 0.6, 0.3, 0.1 };
        void Add(string attack, string loss, double[] accuracy)
        {
            for (int k = 0; k < eps.Length; k++)
                rows.Add(new AttackResult
                {
                    Protocol = "standard", Attack = attack, Loss = loss, Targeted = false, Eps = eps[k], EpsPixels = eps[k], Steps = 100,
                    Restarts = 1, Accuracy = accuracy[k], Images = 100, Seconds = 1, Suite = "autoattack",
                });
        }
        Add("autoattack:apgd-ce", "ce", afterFirst);
        Add("autoattack:square", "margin", final);
        Add("autoattack", AttackResult.Cascade, final);
        var report = new AttackReport
        {
            Run = "run", Protocol = "standard", Images = 100, CleanAccuracy = 0.9, ZeroGradientShare = 0, OfficialQuirks = false, BatchSize = 100,
            Seconds = 1, Results = rows, Flags = Array.Empty<AttackFlag>(), Suite = "autoattack",
        };
        int orange = Pixels(AttackPlot.Png(report), Orange);
        Assert.True(orange > 500, $"only {orange} orange pixels: the cascade's last member is hidden under the cascade");
    }

    private static bool Orange(SKColor c) => Math.Abs(c.Red - 255) < 20 && Math.Abs(c.Green - 127) < 25 && c.Blue < 50;

    private static bool BlueColour(SKColor c) => Math.Abs(c.Red - 31) < 20 && Math.Abs(c.Green - 119) < 25 && Math.Abs(c.Blue - 180) < 25;

    private static int Pixels(byte[] png, Func<SKColor, bool> colour)
    {
        using SKBitmap image = SKBitmap.Decode(png);
        int count = 0;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                if (colour(image.GetPixel(x, y))) count++;
        return count;
    }
}
