using SkiaSharp;

namespace LabelRep.Labels;

/// <summary>Renders one class's label as a PNG a person can read: viridis colour map, scaled up, first row at the bottom (low frequencies, as spectrograms are drawn), with the class name.</summary>
public static class LabelImages
{
    public static void WritePng(string path, float[] values, int[] shape, string caption, float min, float max, int scale = 4)
    {
        byte[] png = Png(values, shape, caption, min, max, scale);
        IO.AtomicFile.Write(path, s => s.Write(png));
    }

    public static byte[] Png(float[] values, int[] shape, string caption, float min, float max, int scale = 4)
    {
        int rows = shape.Length == 2 ? shape[0] : 1, cols = shape.Length == 2 ? shape[1] : shape[0];
        int cell = shape.Length == 2 ? scale : Math.Max(scale, 256 / cols);
        int width = Math.Max(cols * cell, 160), height = rows * cell;
        const int captionHeight = 22;
        using var bitmap = new SKBitmap(width, height + captionHeight);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        var colormap = new ScottPlot.Colormaps.Viridis();
        using var paint = new SKPaint();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                double t = max > min ? (values[r * cols + c] - min) / (max - min) : 0.5;
                var color = colormap.GetColor(t);
                paint.Color = new SKColor(color.R, color.G, color.B);
                canvas.DrawRect(c * cell, (rows - 1 - r) * cell, cell, cell, paint); // row 0 (lowest mel band) at the bottom
            }
        }
        using var font = new SKFont(SKTypeface.Default, 14);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(caption, 4, height + 16, SKTextAlign.Left, font, text);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
