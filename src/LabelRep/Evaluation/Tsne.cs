namespace LabelRep.Evaluation;

/// <summary>
/// Exact t-SNE (van der Maaten and Hinton 2008) for a few thousand points: Gaussian affinities found by binary
/// search to a perplexity, Student-t affinities in 2-D, early exaggeration, momentum and per-coordinate gains.
/// Deterministic for a seed. Plus two separation scores for labelled points.
/// </summary>
public static class Tsne
{
    public static (double[] X, double[] Y) Embed(float[][] points, int seed, double perplexity = 30, int iterations = 1000)
    {
        int n = points.Length;
        if (n < 2) return (new double[n], new double[n]);
        perplexity = Math.Min(perplexity, (n - 1) / 3.0);
        double[] p = Affinities(SquaredDistances(points), n, perplexity);

        var rng = new Random(seed);
        var y = new double[n * 2];
        for (int i = 0; i < y.Length; i++) y[i] = 1e-4 * Gaussian(rng);
        var update = new double[n * 2];
        var gains = Enumerable.Repeat(1.0, n * 2).ToArray();
        var q = new double[n * n];
        var gradient = new double[n * 2];
        double learningRate = Math.Max(n / 12.0, 50);
        for (int it = 0; it < iterations; it++)
        {
            double exaggeration = it < 250 ? 12 : 1;
            double momentum = it < 250 ? 0.5 : 0.8;
            double sumQ = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = i + 1; j < n; j++)
                {
                    double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                    double v = 1 / (1 + dx * dx + dy * dy);
                    q[i * n + j] = q[j * n + i] = v;
                    sumQ += 2 * v;
                }
            }
            Array.Clear(gradient);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    if (i == j) continue;
                    double w = q[i * n + j];
                    double m = (exaggeration * p[i * n + j] - w / sumQ) * w;
                    gradient[2 * i] += 4 * m * (y[2 * i] - y[2 * j]);
                    gradient[2 * i + 1] += 4 * m * (y[2 * i + 1] - y[2 * j + 1]);
                }
            }
            for (int k = 0; k < y.Length; k++)
            {
                gains[k] = Math.Sign(gradient[k]) != Math.Sign(update[k]) ? gains[k] + 0.2 : Math.Max(gains[k] * 0.8, 0.01);
                update[k] = momentum * update[k] - learningRate * gains[k] * gradient[k];
                y[k] += update[k];
            }
            for (int d = 0; d < 2; d++)
            {
                double mean = 0;
                for (int i = 0; i < n; i++) mean += y[2 * i + d];
                mean /= n;
                for (int i = 0; i < n; i++) y[2 * i + d] -= mean;
            }
        }
        return (Enumerable.Range(0, n).Select(i => y[2 * i]).ToArray(), Enumerable.Range(0, n).Select(i => y[2 * i + 1]).ToArray());
    }

    /// <summary>Mean silhouette coefficient of labelled 2-D points, in [−1, 1]; higher means better separated classes.</summary>
    public static double Silhouette(double[] x, double[] y, int[] classes)
    {
        int n = x.Length;
        int[] labels = classes.Distinct().ToArray();
        if (labels.Length < 2) return 0;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var sums = new Dictionary<int, (double Sum, int Count)>();
            for (int j = 0; j < n; j++)
            {
                if (i == j) continue;
                double d = Math.Sqrt((x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]));
                var (s, c) = sums.GetValueOrDefault(classes[j]);
                sums[classes[j]] = (s + d, c + 1);
            }
            if (!sums.TryGetValue(classes[i], out var own) || own.Count == 0) continue;
            double a = own.Sum / own.Count;
            double b = sums.Where(kv => kv.Key != classes[i]).Select(kv => kv.Value.Sum / kv.Value.Count).DefaultIfEmpty(0).Min();
            total += Math.Max(a, b) == 0 ? 0 : (b - a) / Math.Max(a, b);
        }
        return total / n;
    }

    /// <summary>Share of points whose nearest class centroid (in the original feature space) is their own class.</summary>
    public static double NearestCentroidAccuracy(float[][] points, int[] classes)
    {
        int d = points[0].Length;
        var centroids = classes.Distinct().ToDictionary(c => c, c =>
        {
            var members = points.Where((_, i) => classes[i] == c).ToArray();
            var mean = new double[d];
            foreach (float[] m in members) for (int k = 0; k < d; k++) mean[k] += m[k] / (double)members.Length;
            return mean;
        });
        int correct = 0;
        for (int i = 0; i < points.Length; i++)
        {
            int best = centroids.MinBy(kv => Distance(points[i], kv.Value)).Key;
            if (best == classes[i]) correct++;
        }
        return correct / (double)points.Length;
    }

    private static double Distance(float[] a, double[] b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++) s += (a[k] - b[k]) * (a[k] - b[k]);
        return s;
    }

    private static double[] SquaredDistances(float[][] points)
    {
        int n = points.Length;
        var d = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double s = 0;
                float[] a = points[i], b = points[j];
                for (int k = 0; k < a.Length; k++) s += (a[k] - b[k]) * (a[k] - b[k]);
                d[i * n + j] = d[j * n + i] = s;
            }
        }
        return d;
    }

    /// <summary>Symmetric joint probabilities p_ij with each row's conditional distribution at the target perplexity.</summary>
    private static double[] Affinities(double[] distances, int n, double perplexity)
    {
        var p = new double[n * n];
        double target = Math.Log(perplexity);
        for (int i = 0; i < n; i++)
        {
            double lo = 0, hi = double.PositiveInfinity, beta = 1;
            // Scale by the mean distance so that the search starts near the answer whatever the feature scale.
            double scale = 0;
            for (int j = 0; j < n; j++) scale += distances[i * n + j];
            scale = scale / (n - 1) + 1e-12;
            for (int step = 0; step < 60; step++)
            {
                double sum = 0, weighted = 0;
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    double v = Math.Exp(-beta * distances[i * n + j] / scale);
                    p[i * n + j] = v;
                    sum += v;
                    weighted += v * distances[i * n + j] / scale;
                }
                sum = Math.Max(sum, 1e-300);
                double entropy = Math.Log(sum) + beta * weighted / sum;
                for (int j = 0; j < n; j++) p[i * n + j] /= sum;
                if (Math.Abs(entropy - target) < 1e-5) break;
                if (entropy > target)
                {
                    lo = beta;
                    beta = double.IsPositiveInfinity(hi) ? beta * 2 : (beta + hi) / 2;
                }
                else
                {
                    hi = beta;
                    beta = (beta + lo) / 2;
                }
            }
        }
        var joint = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                joint[i * n + j] = Math.Max((p[i * n + j] + p[j * n + i]) / (2.0 * n), 1e-12);
        return joint;
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
