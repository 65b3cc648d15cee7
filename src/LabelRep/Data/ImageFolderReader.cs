using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Data;

/// <summary>
/// A user's own images: one subfolder per class (PNG/JPEG). With <c>train/</c> and <c>test/</c> subfolders that hold
/// class folders, those are the splits; otherwise every subfolder is a class (one named "train" or "test" included)
/// and a fixed-seed 20% of each class is the test set. Images are resized to the first image's size; grayscale when
/// every image is. Every folder becomes a class with images, or is named: a hidden folder (".ipynb_checkpoints") is
/// skipped with a line; a class folder without images, or a name that is not valid UTF-8, is refused.
/// </summary>
public sealed class ImageFolderReader : IDatasetReader
{
    private static readonly string[] Extensions = { ".png", ".jpg", ".jpeg" };
    private readonly string _root;

    public ImageFolderReader(string root)
    {
        _root = root;
        if (!Directory.Exists(root))
            throw new LabelRepException($"folder:{root}: no such folder; give a folder with one subfolder of images per class");
        string classRoot = HasSplits(root) ? Path.Combine(root, "train") : root;
        var classes = new List<string>();
        foreach (string name in Directory.GetDirectories(classRoot).Select(Path.GetFileName).OfType<string>().OrderBy(n => n, StringComparer.Ordinal))
        {
            if (name.StartsWith('.'))
            {
                Console.Error.WriteLine($"folder:{root}: skipped the hidden folder '{name}' (not a class)");
                continue;
            }
            RefuseUndecodable(name, $"folder:{root}: the class folder");
            classes.Add(name);
        }
        if (classes.Count < 2)
            throw new LabelRepException($"folder:{root}: found {classes.Count} class subfolder(s); need at least 2 (one subfolder of images per class)");
        Info = new DatasetInfo("folder:" + root, classes.ToArray(), 0, 0, 0, Array.Empty<float>(), Array.Empty<float>(),
            HorizontalFlip: true, CropPadding: 0, ValidationCount: 0);
    }

    public DatasetInfo Info { get; private set; }

    public DatasetSplits Load()
    {
        string trainRoot = Path.Combine(_root, "train"), testRoot = Path.Combine(_root, "test");
        bool hasSplits = HasSplits(_root);
        var trainFiles = new List<(string, int)>();
        var testFiles = new List<(string, int)>();
        for (int c = 0; c < Info.ClassCount; c++)
        {
            if (hasSplits)
            {
                string[] classTrain = ListImages(Path.Combine(trainRoot, Info.ClassNames[c]));
                if (classTrain.Length == 0) NoImages(c, " in train/");
                trainFiles.AddRange(classTrain.Select(f => (f, c)));
                testFiles.AddRange(ListImages(Path.Combine(testRoot, Info.ClassNames[c])).Select(f => (f, c)));
            }
            else
            {
                string[] files = ListImages(Path.Combine(_root, Info.ClassNames[c]));
                if (files.Length == 0) NoImages(c, "");
                int[] perm = NumpyRandom.Permutation(files.Length, seed: 0);
                int nTest = files.Length / 5;
                testFiles.AddRange(perm.Take(nTest).Select(i => (files[i], c)));
                trainFiles.AddRange(perm.Skip(nTest).Select(i => (files[i], c)));
            }
        }
        if (trainFiles.Count == 0 || testFiles.Count == 0)
            throw new LabelRepException($"folder:{_root}: no PNG/JPEG images found for training or testing");

        using var first = Decode(trainFiles[0].Item1);
        int width = first.Width, height = first.Height;
        if (width < 28 || height < 28)
            throw new LabelRepException($"folder:{_root}: images are {width}×{height}; the backbones need at least 28×28");
        var decoded = trainFiles.Concat(testFiles).Select(f => ReadPixels(f.Item1, width, height)).ToList();
        bool gray = decoded.All(d => d.Gray);
        int channels = gray ? 1 : 3;
        ImageData train = Stack(decoded.Take(trainFiles.Count).ToList(), trainFiles, channels, height, width);
        ImageData test = Stack(decoded.Skip(trainFiles.Count).ToList(), testFiles, channels, height, width);

        using var floats = train.Images.to_type(ScalarType.Float32).div(255f);
        float[] mean = floats.mean(new long[] { 0, 2, 3 }).data<float>().ToArray();
        float[] std = floats.std(new long[] { 0, 2, 3 }).clamp_min(1e-3).data<float>().ToArray();
        Info = Info with
        {
            Channels = channels,
            Height = height,
            Width = width,
            Mean = mean,
            Std = std,
            CropPadding = Math.Max(1, Math.Min(height, width) / 8),
            ValidationCount = Math.Max(1, train.Count / 10),
        };
        return new DatasetSplits(Info, train, test);
    }

    /// <summary>The split layout: train/ and test/ both there, and train/ holding class folders (else "train" and "test" are classes).</summary>
    private static bool HasSplits(string root)
    {
        string train = Path.Combine(root, "train");
        return Directory.Exists(train) && Directory.Exists(Path.Combine(root, "test"))
            && Directory.GetDirectories(train).Any(d => !Path.GetFileName(d).StartsWith('.'));
    }

    private void NoImages(int c, string where) =>
        throw new LabelRepException($"folder:{_root}: the class folder '{Info.ClassNames[c]}' holds no PNG or JPEG image{where}; add images or remove the folder");

    /// <summary>A name the file system gave in bytes that are not UTF-8 cannot be opened again by that name: refused, named.</summary>
    private static void RefuseUndecodable(string name, string what)
    {
        if (name.Contains('\uFFFD'))
            throw new LabelRepException($"{what} '{name}' has a name that is not valid UTF-8, so its files cannot be read by name; rename it");
    }

    private static string[] ListImages(string dir)
    {
        if (!Directory.Exists(dir)) return Array.Empty<string>();
        string[] files = Directory.GetFiles(dir).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        foreach (string f in files) RefuseUndecodable(Path.GetFileName(f), $"{dir}: the image");
        return files;
    }

    /// <summary>Decodes a whole image; a truncated or corrupt file is an error naming it (Skia would return a partly grey image).</summary>
    private static SKBitmap Decode(string path)
    {
        byte[] bytes = IO.InputFile.ReadAllBytes(path, "image", 256L << 20);
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new LabelRepException($"{path}: not a readable PNG or JPEG image");
        if (codec.Info.Width < 1 || codec.Info.Height < 1 || (long)codec.Info.Width * codec.Info.Height > 50_000_000)
            throw new LabelRepException($"{path}: an image of {codec.Info.Width}×{codec.Info.Height} pixels is not one LabelRep reads");
        var bitmap = new SKBitmap(new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        SKCodecResult result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new LabelRepException($"{path}: the image is {(result == SKCodecResult.IncompleteInput ? "truncated" : "corrupt")} ({result}); replace or remove it");
        }
        return bitmap;
    }

    private static (byte[] Rgb, bool Gray) ReadPixels(string path, int width, int height)
    {
        using SKBitmap original = Decode(path);
        using SKBitmap sized = original.Width == width && original.Height == height
            ? original.Copy(SKColorType.Rgba8888)
            : original.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888), new SKSamplingOptions(SKFilterMode.Linear));
        var rgb = new byte[3 * width * height];
        bool gray = true;
        int plane = width * height;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                SKColor p = sized.GetPixel(x, y);
                int i = y * width + x;
                rgb[i] = p.Red;
                rgb[plane + i] = p.Green;
                rgb[2 * plane + i] = p.Blue;
                gray &= p.Red == p.Green && p.Green == p.Blue;
            }
        }
        return (rgb, gray);
    }

    private static ImageData Stack(List<(byte[] Rgb, bool Gray)> images, List<(string, int)> files, int channels, int height, int width)
    {
        int plane = height * width;
        var all = new byte[images.Count * channels * plane];
        for (int i = 0; i < images.Count; i++)
            Buffer.BlockCopy(images[i].Rgb, 0, all, i * channels * plane, channels * plane);
        var tensor = torch.tensor(all, new long[] { images.Count, channels, height, width });
        return new ImageData(tensor, torch.tensor(files.Select(f => (long)f.Item2).ToArray(), ScalarType.Int64));
    }
}
