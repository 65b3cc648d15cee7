using LabelRep.Data;
using TorchSharp;
using Xunit;

namespace LabelRep.Tests.Data;

public class DatasetReaderTests
{
    /// <summary>The error of reading both splits (the training split is read on first use).</summary>
    private static LabelRepException ReadError(string dataset, string? dir) => Assert.Throws<LabelRepException>(() =>
    {
        using DatasetSplits splits = DatasetRegistry.Open(dataset, dir).Load();
        _ = splits.Train;
    });

    public class Idx
    {
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Reads_gzipped_and_raw_files(bool gzip)
        {
            // Given
            string dir = TestData.WriteIdxDataset(train: 30, test: 20, gzip: gzip);

            // When
            using var splits = DatasetRegistry.Open("fashion-mnist", dir).Load();

            // Then
            Assert.Equal(new long[] { 30, 1, 28, 28 }, splits.Train.Images.shape);
            Assert.Equal(20, splits.Test.Count);
            Assert.Equal(new long[] { 0, 1, 2, 3 }, splits.Train.LabelArray()[..4]);
            Assert.Equal(10, splits.Info.ClassCount);
        }

        [Fact]
        public void A_truncated_image_file_is_a_clear_error()
        {
            string dir = TestData.WriteIdxDataset(train: 10, test: 10, gzip: false);
            string path = Path.Combine(dir, "train-images-idx3-ubyte");
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

            var e = ReadError("fashion-mnist", dir);
            Assert.Contains("truncated", e.Message);
        }

        [Fact]
        public void A_corrupt_gzip_file_is_a_clear_error()
        {
            string dir = TestData.WriteIdxDataset(train: 10, test: 10, gzip: true);
            string path = Path.Combine(dir, "train-images-idx3-ubyte.gz");
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

            var e = ReadError("fashion-mnist", dir);
            Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
        }

        [Fact]
        public void Bad_magic_and_out_of_range_labels_are_rejected()
        {
            string dir = TestData.WriteIdxDataset(train: 10, test: 10, gzip: false);
            string labels = Path.Combine(dir, "train-labels-idx1-ubyte");
            byte[] bytes = File.ReadAllBytes(labels);
            bytes[^1] = 42;
            File.WriteAllBytes(labels, bytes);
            Assert.Contains("out of range", ReadError("fashion-mnist", dir).Message);

            File.WriteAllBytes(labels, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
            Assert.Contains("not an IDX file", ReadError("fashion-mnist", dir).Message);
        }

        [Fact]
        public void The_training_files_are_read_only_when_the_training_split_is_used()
        {
            // Given: a dataset folder whose training images are missing (what attacking a finished run never needs)
            string dir = TestData.WriteIdxDataset(train: 10, test: 20, gzip: true);
            File.Delete(Path.Combine(dir, "train-images-idx3-ubyte.gz"));

            // When
            using DatasetSplits splits = DatasetRegistry.Open("fashion-mnist", dir).Load();

            // Then: the test split is there, and the training split says what is missing when it is used
            Assert.Equal(20, splits.Test.Count);
            var e = Assert.Throws<LabelRepException>(() => splits.Train);
            Assert.Contains("train-images-idx3-ubyte", e.Message);
        }

        [Fact]
        public void A_training_split_first_read_inside_a_dispose_scope_outlives_the_scope()
        {
            string dir = TestData.WriteIdxDataset(train: 30, test: 20, gzip: false);
            using DatasetSplits splits = DatasetRegistry.Open("fashion-mnist", dir).Load();

            using (torch.NewDisposeScope())
                Assert.Equal(30, splits.Train.Count); // as a training step's scope would be the first to touch it

            Assert.Equal(new long[] { 0, 1, 2, 3 }, splits.Train.LabelArray()[..4]);
            Assert.Equal(30 * 28 * 28, splits.Train.Images.numel());
        }

        [Fact]
        public void Missing_files_say_where_they_were_looked_for_and_how_to_get_them()
        {
            string dir = TestData.TempDir("empty");
            var e = ReadError("fashion-mnist", dir);
            Assert.Contains(dir, e.Message);
            Assert.Contains("apt-get install -y dataset-fashion-mnist", e.Message);
        }
    }

    public class Cifar
    {
        private static string WriteCifar(bool hundred, int trainPerFile, int test)
        {
            string dir = TestData.TempDir(hundred ? "cifar100" : "cifar10");
            int labelBytes = hundred ? 2 : 1;
            byte[] Records(int n, int offset)
            {
                var data = new byte[n * (labelBytes + 3072)];
                for (int i = 0; i < n; i++)
                {
                    int o = i * (labelBytes + 3072);
                    int cls = (i + offset) % (hundred ? 100 : 10);
                    if (hundred) { data[o] = (byte)(cls / 5); data[o + 1] = (byte)cls; }
                    else data[o] = (byte)cls;
                    data[o + labelBytes] = 11;                 // R plane, pixel (0, 0)
                    data[o + labelBytes + 1024] = 22;          // G plane
                    data[o + labelBytes + 2048 + 1023] = 33;   // B plane, pixel (31, 31)
                }
                return data;
            }
            if (hundred)
            {
                File.WriteAllBytes(Path.Combine(dir, "train.bin"), Records(trainPerFile, 0));
                File.WriteAllBytes(Path.Combine(dir, "test.bin"), Records(test, 0));
            }
            else
            {
                for (int b = 1; b <= 5; b++) File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b}.bin"), Records(trainPerFile, b));
                File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), Records(test, 0));
            }
            return dir;
        }

        [Fact]
        public void Cifar10_reads_every_batch_with_planes_in_rgb_order()
        {
            string dir = WriteCifar(hundred: false, trainPerFile: 4, test: 3);

            using var splits = DatasetRegistry.Open("cifar10", dir).Load();

            Assert.Equal(new long[] { 20, 3, 32, 32 }, splits.Train.Images.shape);
            Assert.Equal(3, splits.Test.Count);
            Assert.Equal(11, splits.Train.Images[0, 0, 0, 0].item<byte>());
            Assert.Equal(22, splits.Train.Images[0, 1, 0, 0].item<byte>());
            Assert.Equal(33, splits.Train.Images[0, 2, 31, 31].item<byte>());
            Assert.Equal(1L, splits.Train.LabelArray()[0]);
            Assert.Equal("automobile", splits.Info.ClassNames[1]);
        }

        [Fact]
        public void Cifar100_uses_the_fine_label_and_alphabetical_names()
        {
            string dir = WriteCifar(hundred: true, trainPerFile: 120, test: 5);

            using var splits = DatasetRegistry.Open("cifar100", dir).Load();

            Assert.Equal(120, splits.Train.Count);
            Assert.Equal(99L, splits.Train.LabelArray()[99]);
            Assert.Equal(100, splits.Info.ClassCount);
            Assert.Equal(splits.Info.ClassNames.OrderBy(n => n, StringComparer.Ordinal), splits.Info.ClassNames);
            Assert.Equal("aquarium_fish", splits.Info.ClassNames[1]);
            Assert.Equal("skyscraper", splits.Info.ClassNames[76]);
            Assert.Equal("willow_tree", splits.Info.ClassNames[96]);
        }

        [Fact]
        public void A_truncated_batch_file_is_a_clear_error()
        {
            string dir = WriteCifar(hundred: false, trainPerFile: 2, test: 2);
            string path = Path.Combine(dir, "data_batch_3.bin");
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..5000]);

            var e = ReadError("cifar10", dir);
            Assert.Contains("data_batch_3.bin", e.Message);
            Assert.Contains("truncated", e.Message);
        }

        [Fact]
        public void A_missing_folder_says_how_to_get_the_data()
        {
            var e = ReadError("cifar100", "/nonexistent/cifar");
            Assert.Contains("cifar-100-binary", e.Message);
        }
    }

    public class ImageFolder
    {
        [Fact]
        public void Reads_one_subfolder_per_class_with_a_seeded_test_split()
        {
            string dir = TestData.TempDir("folder");
            var rng = new Random(0);
            foreach (var (cls, name) in new[] { (0, "cats"), (1, "dogs") })
            {
                Directory.CreateDirectory(Path.Combine(dir, name));
                for (int i = 0; i < 10; i++)
                {
                    byte[] gray = TestData.SyntheticImage(cls, 2, rng, size: 32);
                    using var bitmap = new SkiaSharp.SKBitmap(32, 32);
                    for (int y = 0; y < 32; y++)
                        for (int x = 0; x < 32; x++) bitmap.SetPixel(x, y, new SkiaSharp.SKColor(gray[y * 32 + x], gray[y * 32 + x], gray[y * 32 + x]));
                    using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
                    File.WriteAllBytes(Path.Combine(dir, name, $"{i}.png"), data.ToArray());
                }
            }

            using var splits = DatasetRegistry.Open("folder:" + dir, null).Load();

            Assert.Equal(new[] { "cats", "dogs" }, splits.Info.ClassNames);
            Assert.Equal(1, splits.Info.Channels);
            Assert.Equal(16, splits.Train.Count);
            Assert.Equal(4, splits.Test.Count);
            Assert.Equal(32, splits.Info.Height);
        }

        [Fact]
        public void A_file_that_is_not_an_image_is_a_clear_error()
        {
            string dir = TestData.TempDir("badfolder");
            foreach (string name in new[] { "a", "b" })
            {
                Directory.CreateDirectory(Path.Combine(dir, name));
                for (int i = 0; i < 5; i++) File.WriteAllText(Path.Combine(dir, name, $"{i}.png"), "not a png");
            }
            var e = ReadError("folder:" + dir, null);
            Assert.Contains("not a readable PNG or JPEG", e.Message);
        }
    }
}
