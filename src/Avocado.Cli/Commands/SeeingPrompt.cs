using Avocado.Common.Imaging;
using Avocado.Media;
using Avocado.Models;
using Avocado.Models.Architectures;
using Avocado.Models.Vision;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;

namespace Avocado.Cli.Commands;

/// <summary>A chat prompt that shows images and video frames to a model that sees (<c>generate --image/--video</c>):
/// the pictures as image parts before the text, each video frame introduced by its time, rendered by the chat format,
/// expanded to the model's placeholder tokens, with the pixels the model reads in the prefill.</summary>
public static class SeeingPrompt
{
    public sealed record Video(string Path, double? Fps, int? Frames);

    public static async Task<(long[] Ids, VisualInputs Visual)> BuildAsync(CausalLM model, string dir, ITokenizer tokenizer, IChatFormat format,
        string text, ChatOptions options, IReadOnlyList<string> images, Video? video)
    {
        if (model is not Gemma3ForConditionalGeneration gemma)
            throw new UsageException($"--image and --video need a checkpoint that sees; {dir} is a text-only {model.Config.Family} model " +
                "(make one with: ./avocado model init --family gemma3-vision --preset tiny --out DIR)");
        var decoder = new ImageDecoder();
        var pictures = images.Select(path => decoder.Decode(path)).ToList();
        var parts = new List<ContentPart>(pictures.Select(_ => (ContentPart)new ImagePart()));
        if (video is not null)
        {
            var request = new SamplingRequest
            {
                Sampler = video.Fps is null ? SamplerKind.Uniform : SamplerKind.Fps,
                Fps = video.Fps,
                MaxFrames = video.Frames ?? 8,
            };
            await foreach (var frame in new VideoSampler().SampleAsync(video.Path, request))
            {
                pictures.Add(new RgbImage(frame.Frame.Width, frame.Frame.Height, frame.Frame.Rgb));
                parts.Add(new TextPart($"Frame at {frame.Timestamp:0.0} s: "));
                parts.Add(new ImagePart());
            }
        }
        parts.Add(new TextPart(text));
        var rendered = format.Render([ChatMessage.UserParts([.. parts])], options);
        var (pixels, crops) = Gemma3ImageProcessor.For(gemma.Spec.Vision).Preprocess(pictures);
        var expanded = VisualPrompts.ExpandGemma3(rendered, pictures.Count, gemma.Spec.MmTokensPerImage, crops);
        var ids = tokenizer.Encode(expanded, parseSpecial: true, addSpecialTokens: false).Select(i => (long)i).ToArray();
        return (ids, new Gemma3Images(pixels));
    }
}
