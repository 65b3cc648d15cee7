namespace LabelRep.Labels;

/// <summary>
/// Pillow's Image.resize for float ('F') images with its BICUBIC filter (a = −0.5): a horizontal then a vertical pass,
/// each a convolution whose support widens by the downscaling factor, with weights normalized per output pixel and
/// the intermediate image stored as float32, as libImaging/Resample.c does.
/// </summary>
public static class PillowResize
{
    public static float[,] Bicubic(double[,] image, int width, int height)
    {
        int inHeight = image.GetLength(0), inWidth = image.GetLength(1);
        var (xBounds, xWeights) = Coefficients(inWidth, width);
        var horizontal = new float[inHeight, width];
        for (int y = 0; y < inHeight; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                for (int k = 0; k < xWeights[x].Length; k++) sum += image[y, xBounds[x] + k] * xWeights[x][k];
                horizontal[y, x] = (float)sum;
            }
        }
        var (yBounds, yWeights) = Coefficients(inHeight, height);
        var result = new float[height, width];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                for (int k = 0; k < yWeights[y].Length; k++) sum += horizontal[yBounds[y] + k, x] * yWeights[y][k];
                result[y, x] = (float)sum;
            }
        }
        return result;
    }

    /// <summary>Pillow's precompute_coeffs: the first input index and the normalized weights of every output index.</summary>
    private static (int[] First, double[][] Weights) Coefficients(int inSize, int outSize)
    {
        const double support = 2.0;
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double reach = support * filterScale;
        var first = new int[outSize];
        var weights = new double[outSize][];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            int xmin = Math.Max((int)(center - reach + 0.5), 0);
            int xmax = Math.Min((int)(center + reach + 0.5), inSize) - xmin;
            var w = new double[xmax];
            double total = 0;
            for (int x = 0; x < xmax; x++)
            {
                w[x] = Filter((x + xmin - center + 0.5) / filterScale);
                total += w[x];
            }
            if (total != 0)
                for (int x = 0; x < xmax; x++) w[x] /= total;
            first[xx] = xmin;
            weights[xx] = w;
        }
        return (first, weights);
    }

    private static double Filter(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }
}
