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
        using SKBitmap image = SKBitmap.Decode(Charts.Lines("test", "ε", "accuracy", series, yRange: (0, 1)));
        int orange = 0;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                SKColor c = image.GetPixel(x, y);
                if (Math.Abs(c.Red - 255) < 20 && Math.Abs(c.Green - 127) < 25 && c.Blue < 50) orange++;
            }
        Assert.True(orange > 500, $"only {orange} orange pixels: the attack's line is hidden under the worst case");
    }
}
