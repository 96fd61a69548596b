using System.Text.Json;
using Avocado.Media;
using Avocado.Models;
using Avocado.Models.Architectures;
using Avocado.Models.Vision;

namespace Avocado.Cli.Commands;

/// <summary><c>avocado model embed-image DIR --image FILE [--out FILE.json]</c>.</summary>
public static class SeeingCommands
{
    public static int EmbedImage(CommandArgs a)
    {
        var dir = a.Positional(0, "checkpoint directory");
        var imagePath = a.Required("image");
        var outPath = a.Option("out");
        using var model = ModelLoader.Load(dir);
        if (model is not Gemma3ForConditionalGeneration gemma)
            throw new UsageException($"{dir} is a text-only {model.Config.Family} model; embed-image needs a checkpoint that sees " +
                "(make one with: ./avocado model init --family gemma3-vision --preset tiny --out DIR)");
        var image = new ImageDecoder().Decode(imagePath);
        var (pixels, _) = Gemma3ImageProcessor.For(gemma.Spec.Vision).Preprocess([image]);
        float[][] rows;
        using (var _ = TorchSharp.torch.no_grad())
        using (var scope = TorchSharp.torch.NewDisposeScope())
        {
            var features = gemma.ImageFeatures(pixels)[0];                               // (tokens, hidden)
            int hidden = (int)features.shape[1];
            var flat = features.contiguous().data<float>().ToArray();
            rows = [.. flat.Chunk(hidden)];
        }
        var json = JsonSerializer.Serialize(new { tokens = rows.Length, hidden = rows[0].Length, features = rows });
        if (outPath is null) Console.WriteLine(json);
        else File.WriteAllText(outPath, json + "\n");
        return 0;
    }
}
