using System.Text.Json;
using Avocado.Media;
using Avocado.Models;
using Avocado.Models.Architectures;
using Avocado.Models.Vision;

namespace Avocado.Cli.Tests;

/// <summary>A Gemma 3 that sees, through the CLI as a user runs it: <c>model init --family gemma3-vision</c>,
/// <c>model embed-image</c> (checked against the in-process tower on the same file) and <c>generate --image/--video</c>.</summary>
public sealed class SeeingCliTests : IDisposable
{
    readonly TempDir dir = new("avocado-seeing-cli-");
    readonly string model, image, video;

    public SeeingCliTests()
    {
        model = dir.File("gemma3v");
        var init = ExternalTools.RunCli("model", "init", "--family", "gemma3-vision", "--preset", "tiny", "--out", model, "--seed", "4");
        Assert.True(init.ExitCode == 0, init.Stderr);
        image = dir.File("pattern.png");
        var rgb = new byte[40 * 30 * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 7 % 256);
        PngFile.Write(image, 40, 30, rgb);
        video = dir.File("clip.mp4");
        var made = ExternalTools.Run("ffmpeg", ["-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=s=64x48:r=10:d=3",
            "-pix_fmt", "yuv420p", video]);
        Assert.True(made.ExitCode == 0, $"ffmpeg could not make the test video (scripts/setup installs it): {made.Stderr}");
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Embed_image_prints_the_projector_rows_the_model_computes_for_that_file()
    {
        var (code, stdout, stderr) = ExternalTools.RunCli("model", "embed-image", model, "--image", image);
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(16, json.RootElement.GetProperty("tokens").GetInt32());
        Assert.Equal(64, json.RootElement.GetProperty("hidden").GetInt32());
        var rows = json.RootElement.GetProperty("features").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

        using var loaded = (Gemma3ForConditionalGeneration)ModelLoader.Load(model);
        var (pixels, _) = Gemma3ImageProcessor.For(loaded.Spec.Vision).Preprocess([new ImageDecoder().Decode(image)]);
        using var features = loaded.ImageFeatures(pixels)[0];
        for (int t = 0; t < 16; t++) Assert.Equal(Tensors.Floats(features[t]), rows[t]);
    }

    [Fact]
    public void Generate_reads_images_and_video_frames_and_a_text_model_refuses_them()
    {
        var withImage = ExternalTools.RunCli("generate", model, "--chat", "--prompt", "What is this?", "--image", image, "--max-tokens", "4", "--json");
        Assert.True(withImage.ExitCode == 0, withImage.Stderr);
        Assert.Equal(4, JsonDocument.Parse(withImage.Stdout).RootElement.GetProperty("ids").GetArrayLength());
        var withVideo = ExternalTools.RunCli("generate", model, "--chat", "--prompt", "What happens?", "--video", video, "--frames", "3", "--max-tokens", "4", "--json");
        Assert.True(withVideo.ExitCode == 0, withVideo.Stderr);

        var noChat = ExternalTools.RunCli("generate", model, "--prompt", "x", "--image", image);
        Assert.Equal(2, noChat.ExitCode);
        Assert.Contains("--chat", noChat.Stderr);
        var text = dir.File("text");
        Assert.Equal(0, ExternalTools.RunCli("model", "init", "--family", "gemma3", "--out", text).ExitCode);
        foreach (var file in (string[])["tokenizer.json", "tokenizer_config.json"]) File.Copy(Path.Combine(model, file), Path.Combine(text, file));
        var refused = ExternalTools.RunCli("generate", text, "--chat", "--prompt", "x", "--image", image);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("checkpoint that sees", refused.Stderr);
        var missing = ExternalTools.RunCli("model", "embed-image", model, "--image", dir.File("nope.png"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("nope.png", missing.Stderr);
    }
}
