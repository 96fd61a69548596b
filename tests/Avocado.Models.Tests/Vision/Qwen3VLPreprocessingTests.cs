using Avocado.Models.Config;
using Avocado.Models.Vision;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.Vision;

/// <summary>smart_resize and the pixels → patches pipeline against the Python reference (Pillow + numpy, written
/// from transformers' Qwen2VLImageProcessor and Qwen3VLVideoProcessor).</summary>
public class Qwen3VLPreprocessingTests
{
    // Published Qwen3-VL image bounds (256²..4096² pixels, factor 32), Qwen2.5-VL's (factor 28), and tight ones that
    // force both branches.
    static readonly long[][] ImageCases =
    [
        [480, 640, 32, 65536, 16777216], [1080, 1920, 32, 65536, 16777216], [4000, 6000, 32, 65536, 16777216],
        [48, 80, 32, 1024, 16777216], [112, 208, 32, 1024, 16777216], // 1.5, 2.5, 3.5, 6.5 factors: Python rounds half to even
        [48, 80, 32, 65536, 16777216],      // the same, scaled up to the minimum
        [33, 33, 32, 65536, 16777216], [32, 6400, 32, 65536, 16777216], [32, 6401, 32, 65536, 16777216], // aspect 200 is allowed, above is refused
        [20, 100, 32, 65536, 16777216],     // smaller than the factor: refused
        [1000, 37, 32, 1024, 4096], [999, 998, 28, 3136, 1003520], [333, 777, 28, 200704, 200704],
        [17, 1234, 16, 256, 1000000], [4096, 4096, 32, 65536, 16777216], [4097, 4095, 32, 65536, 16777216],
    ];

    static readonly long[][] VideoCases =
    [
        [16, 480, 640, 2, 32, 131072, 786432], [3, 360, 640, 2, 32, 131072, 786432], [1, 360, 640, 2, 32, 131072, 786432],
        [8, 20, 30, 2, 32, 4096, 25165824],     // frames smaller than the factor are scaled up first
        [768, 1080, 1920, 2, 32, 4096, 25165824], [5, 64, 12800, 2, 32, 4096, 25165824], [4, 1000, 1000, 2, 28, 100352, 200704],
    ];

    [Fact]
    public void Smart_resize_matches_the_Python_formula_on_a_table_of_sizes()
    {
        using var dir = new TempDir();
        Qwen3VLReference.Run("smart-resize", new { images = ImageCases, videos = VideoCases, output = dir.File("sizes.json") }, dir);
        using var expected = JsonDocument.Parse(File.ReadAllText(dir.File("sizes.json")));

        var images = expected.RootElement.GetProperty("images").EnumerateArray().ToList();
        for (int i = 0; i < ImageCases.Length; i++)
        {
            var c = ImageCases[i];
            var ours = Attempt(() => Qwen3VLImageProcessor.SmartResize((int)c[0], (int)c[1], (int)c[2], c[3], c[4]));
            Assert.True(Same(images[i], ours), $"image {string.Join("/", c)}: Python {images[i]}, ours {ours}");
        }
        var videos = expected.RootElement.GetProperty("videos").EnumerateArray().ToList();
        for (int i = 0; i < VideoCases.Length; i++)
        {
            var c = VideoCases[i];
            var ours = Attempt(() => Qwen3VLImageProcessor.SmartResizeVideo((int)c[0], (int)c[1], (int)c[2], (int)c[3], (int)c[4], c[5], c[6]));
            Assert.True(Same(videos[i], ours), $"video {string.Join("/", c)}: Python {videos[i]}, ours {ours}");
        }
        Assert.Contains(images, e => e.ValueKind == JsonValueKind.Null); // the table does exercise the refusals
    }

    static (int, int)? Attempt(Func<(int, int)> resize)
    {
        try { return resize(); }
        catch (ArgumentException) { return null; }
    }

    static bool Same(JsonElement python, (int H, int W)? ours) => python.ValueKind == JsonValueKind.Null
        ? ours is null
        : ours is { } s && python[0].GetInt32() == s.H && python[1].GetInt32() == s.W;

    [Fact]
    public void An_image_becomes_the_same_patches_as_in_the_reference_processor()
    {
        var processor = new Qwen3VLImageProcessor(); // published defaults: factor 32, bicubic, mean = std = 0.5
        var frames = RandomFrames(count: 1, width: 300, height: 200, seed: 1);
        var ours = processor.PreprocessImage(frames[0], 300, 200);
        AssertSameAsReference(processor, frames, 300, 200, ours, "image", processor.MinPixels, processor.MaxPixels);
        Assert.Equal(new VisionGrid(1, 14, 20), ours.Grid); // 200×300 → 224×320: below 256² pixels, scaled up
    }

    [Fact]
    public void Video_frames_become_the_same_patches_as_in_the_reference_processor()
    {
        var processor = new Qwen3VLImageProcessor();
        var frames = RandomFrames(count: 3, width: 64, height: 48, seed: 2);
        var ours = processor.PreprocessVideo(frames, 64, 48);
        AssertSameAsReference(processor, frames, 64, 48, ours, "video", 128 * 32 * 32, 768 * 32 * 32);
        Assert.Equal(2, ours.Grid.T); // three frames padded to four by repeating the last
    }

    static void AssertSameAsReference(Qwen3VLImageProcessor processor, IReadOnlyList<byte[]> frames, int width, int height,
        VisionPatches ours, string kind, long minPixels, long maxPixels)
    {
        using var dir = new TempDir();
        var paths = frames.Select((f, i) => { var p = dir.File($"frame{i}.rgb"); File.WriteAllBytes(p, f); return p; }).ToArray();
        Qwen3VLReference.Run("preprocess", new
        {
            kind, frames = paths, width, height, patch_size = processor.PatchSize, merge_size = processor.MergeSize,
            temporal_patch_size = processor.TemporalPatchSize, min_pixels = minPixels, max_pixels = maxPixels,
            mean = processor.Mean, std = processor.Std, output = dir.File("patches.safetensors"),
        }, dir, "numpy", "PIL");
        var reference = Qwen3VLReference.ReadAll(dir.File("patches.safetensors"));
        var grid = reference["grid_thw"].data<long>().ToArray();
        Assert.Equal([grid[0], grid[1], grid[2]], new long[] { ours.Grid.T, ours.Grid.H, ours.Grid.W });
        using var scope = NewDisposeScope();
        // Same resize bytes, same float32 arithmetic: the patches agree exactly.
        Assert.True(TensorAssert.Same(reference["patches"], ours.ToTensor()), $"{kind}: patches differ by {Tensors.MaxAbsDiff(reference["patches"], ours.ToTensor()):E2}");
    }

    [Fact]
    public void A_still_image_fills_both_frames_of_its_temporal_patch()
    {
        var processor = Qwen3VLImageProcessor.For(Qwen3VLVisionConfig.Tiny) with { MinPixels = 64, MaxPixels = 4096 };
        var image = RandomFrames(1, 24, 16, seed: 3)[0];
        var patches = processor.PreprocessImage(image, 24, 16);
        Assert.Equal(new VisionGrid(1, 4, 6), patches.Grid); // factor 8: 16×24 already fits
        int p = processor.PatchSize, frameBlock = p * p;
        // A row is laid out (channel, frame, y, x): the two frames of each channel hold the same p×p values.
        for (int row = 0; row < patches.Grid.Patches; row++)
        for (int c = 0; c < 3; c++)
        {
            var offset = row * patches.PatchWidth + c * 2 * frameBlock;
            Assert.Equal(patches.Values.AsSpan(offset, frameBlock).ToArray(), patches.Values.AsSpan(offset + frameBlock, frameBlock).ToArray());
        }
        // The first four rows are the top-left 2×2 block: pixel (0, 4) starts the second row (x = one patch right).
        float Expected(int y, int x, int c) => (float)(image[(y * 24 + x) * 3 + c] / 255.0) * 2 - 1; // mean = std = 0.5
        Assert.Equal(Expected(0, 4, 0), patches.Values[patches.PatchWidth], 6);
        Assert.Equal(Expected(4, 0, 0), patches.Values[2 * patches.PatchWidth], 6);
    }

    static List<byte[]> RandomFrames(int count, int width, int height, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => { var b = new byte[width * height * 3]; random.NextBytes(b); return b; }).ToList();
    }
}
