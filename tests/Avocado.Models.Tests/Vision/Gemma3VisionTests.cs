using Avocado.Models.Architectures;
using Avocado.Models.Checkpoints;
using Avocado.Models.Config;
using Avocado.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.Vision;

/// <summary>Gemma 3's image path (SigLIP tower + projector) against an independent PyTorch reference written from the
/// published modeling code (tests/parity/vision/gemma3_vision_reference.py), and the multimodal checkpoint layout.</summary>
public class Gemma3VisionTests
{
    static string TinyCheckpoint(string name, int seed)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"avocado-{name}-{Guid.NewGuid():N}");
        ModelInit.Write(TinyPresets.For("gemma3-vision"), dir, seed, ScalarType.Float32);
        return dir;
    }

    [Fact]
    public void Image_features_match_the_reference_implementation()
    {
        var dir = TinyCheckpoint("gemma3-vision-parity", seed: 5);
        try
        {
            using var model = (Gemma3ForConditionalGeneration)ModelLoader.Load(dir);
            var size = model.Spec.Vision.ImageSize;
            using var pixels = rand(new long[] { 2, 3, size, size }, generator: new Generator(9)).Mul(2).Sub(1); // normalised to [-1, 1]
            using var ours = model.ImageFeatures(pixels);
            Assert.Equal(new long[] { 2, model.Spec.MmTokensPerImage, model.Config.HiddenSize }, ours.shape);

            var pixelsFile = Path.Combine(dir, "pixels.safetensors.in");
            var outFile = Path.Combine(dir, "features.safetensors.out");
            SafetensorsWriter.Write(pixelsFile, [new("pixel_values", pixels)]);
            ExternalTools.RunParityScript("vision/gemma3_vision_reference.py", dir, pixelsFile, outFile);
            using var reader = CheckpointReader.Open(outFile);
            using var reference = reader.Read("features");

            var diff = (ours - reference).abs().max().item<float>();
            Assert.True(diff <= 1e-4f, $"max |ours − reference| = {diff}");
            Assert.True(ours.abs().max().item<float>() > 0.1f, "features are all near zero: the comparison would prove nothing");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_checkpoint_that_sees_is_saved_in_the_published_layout_and_loads_from_either_prefix()
    {
        var dir = TinyCheckpoint("gemma3-vision-layout", seed: 2);
        try
        {
            var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
            Assert.Equal("gemma3", (string?)config["model_type"]);
            Assert.Equal("Gemma3ForConditionalGeneration", (string?)config["architectures"]![0]);
            Assert.Equal("gemma3_text", (string?)config["text_config"]!["model_type"]);
            Assert.Equal(16, (int?)config["mm_tokens_per_image"]);

            using var reader = CheckpointReader.Open(dir);
            var names = reader.Tensors.Keys.ToHashSet();
            Assert.Contains("model.vision_tower.vision_model.embeddings.patch_embedding.weight", names);
            Assert.Contains("model.vision_tower.vision_model.encoder.layers.1.mlp.fc2.bias", names);
            Assert.Contains("model.multi_modal_projector.mm_input_projection_weight", names);
            Assert.Contains("model.language_model.embed_tokens.weight", names);
            Assert.DoesNotContain(names, n => n.StartsWith("vision_tower.") || n.StartsWith("model.layers."));

            // The pre-4.52 layout (language_model.model.*, vision_tower.* at the root) loads to the same model.
            var old = dir + "-old";
            Directory.CreateDirectory(old);
            File.Copy(Path.Combine(dir, "config.json"), Path.Combine(old, "config.json"));
            SafetensorsWriter.Write(Path.Combine(old, "model.safetensors"), names.Select(n => new KeyValuePair<string, Tensor>(
                n.StartsWith("model.language_model.") ? "language_model.model." + n["model.language_model.".Length..]
                : n.StartsWith("model.") ? n["model.".Length..] : n, reader.Read(n))).ToList());
            using var a = ModelLoader.Load(dir);
            using var b = ModelLoader.Load(old);
            Assert.Equal(Tensors.Floats(a.Logits([1, 2, 3])), Tensors.Floats(b.Logits([1, 2, 3])));
            Directory.Delete(old, true);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_published_gemma_3_4b_config_builds_the_published_tensor_names_and_shapes()
    {
        // gemma-3-4b-it's config.json (vision part and the text fields that shape tensors).
        var config = ConfigLoader.Parse("""
            {"architectures":["Gemma3ForConditionalGeneration"],"model_type":"gemma3","boi_token_index":255999,"eoi_token_index":256000,
             "eos_token_id":[1,106],"image_token_index":262144,"mm_tokens_per_image":256,
             "text_config":{"model_type":"gemma3_text","hidden_size":2560,"intermediate_size":10240,"num_hidden_layers":34,
               "num_attention_heads":8,"num_key_value_heads":4,"head_dim":256,"query_pre_attn_scalar":256,"sliding_window":1024,
               "rope_scaling":{"factor":8.0,"rope_type":"linear"},"vocab_size":262208},
             "vision_config":{"hidden_size":1152,"image_size":896,"intermediate_size":4304,"model_type":"siglip_vision_model",
               "num_attention_heads":16,"num_hidden_layers":27,"patch_size":14,"vision_use_head":false}}
            """);
        using var model = ModelFactory.Create(config, Avocado.Models.Layers.TensorFactory.Meta());
        var shapes = model.named_parameters().ToDictionary(p => CheckpointLayout.Stored(model, p.name), p => p.parameter.shape);
        // Names and shapes as in the published model.safetensors.index.json / safetensors headers.
        Assert.Equal([1152, 3, 14, 14], shapes["model.vision_tower.vision_model.embeddings.patch_embedding.weight"]);
        Assert.Equal([4096, 1152], shapes["model.vision_tower.vision_model.embeddings.position_embedding.weight"]);
        Assert.Equal([4304, 1152], shapes["model.vision_tower.vision_model.encoder.layers.26.mlp.fc1.weight"]);
        Assert.Equal([1152], shapes["model.vision_tower.vision_model.encoder.layers.0.self_attn.out_proj.bias"]);
        Assert.Equal([1152], shapes["model.vision_tower.vision_model.post_layernorm.weight"]);
        Assert.Equal([1152, 2560], shapes["model.multi_modal_projector.mm_input_projection_weight"]);
        Assert.Equal([1152], shapes["model.multi_modal_projector.mm_soft_emb_norm.weight"]);
        Assert.Equal([262208, 2560], shapes["model.language_model.embed_tokens.weight"]);
        Assert.Equal(27 * 16 + 3 + 2, shapes.Keys.Count(k => k.StartsWith("model.vision_tower.")));
        Assert.Equal(2, shapes.Keys.Count(k => k.StartsWith("model.multi_modal_projector.")));
        Assert.DoesNotContain("model.vision_tower.vision_model.head.probe", shapes.Keys);
    }
}

/// <summary>The decoder side of a Gemma 3 that sees: features replace the placeholders, an image's tokens see each
/// other both ways, and a KV-cached continuation after an image prompt equals full forward passes.</summary>
public class Gemma3ImagePromptTests
{
    static (Gemma3ForConditionalGeneration Model, string Dir) Load(int seed)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"avocado-gemma3-vision-prompt-{Guid.NewGuid():N}");
        ModelInit.Write(TinyPresets.For("gemma3-vision"), dir, seed, ScalarType.Float32);
        return ((Gemma3ForConditionalGeneration)ModelLoader.Load(dir), dir);
    }

    /// <summary>bos, text, then per image: boi, 16 placeholders, eoi; then text.</summary>
    static long[] Prompt(Gemma3VisionSpec s, int images) =>
        [2, 10, 11, .. Enumerable.Range(0, images).SelectMany(_ => (long[])[s.BoiTokenIndex, .. Enumerable.Repeat((long)s.ImageTokenIndex, s.MmTokensPerImage), s.EoiTokenIndex, 12]), 13, 14];

    [Fact]
    public void Image_tokens_see_later_tokens_of_their_image_and_text_before_the_image_sees_none()
    {
        var (model, dir) = Load(seed: 4);
        using var _ = model;
        using var scope = NewDisposeScope();
        var ids = Prompt(model.Spec, images: 1);
        var idTensor = tensor(ids).unsqueeze(0);
        var positions = arange(ids.Length, dtype: ScalarType.Int64).unsqueeze(0);
        var placeholders = idTensor.Eq((long)model.Spec.ImageTokenIndex);
        int first = Array.IndexOf(ids, (long)model.Spec.ImageTokenIndex), count = model.Spec.MmTokensPerImage;
        var features = randn(count, model.Config.HiddenSize, generator: new Generator(1));
        var changedLast = features.clone();
        changedLast[count - 1] = randn(model.Config.HiddenSize, generator: new Generator(2));
        IReadOnlyList<(long, long)> image = [(first, first + count)];

        Tensor Hidden(Tensor f, IReadOnlyList<(long, long)> spans) =>
            model.model.Forward(idTensor, positions, null, visual: new VisualOverlay(placeholders, f, spans))[0];
        var a = Hidden(features, image);
        var b = Hidden(changedLast, image);
        Assert.Equal(Tensors.Floats(a[first - 1]), Tensors.Floats(b[first - 1]));        // text before the image: causal
        Assert.True((a[first] - b[first]).abs().max().item<float>() > 1e-4f);             // the first image token sees the last
        var causalA = Hidden(features, []);
        var causalB = Hidden(changedLast, []);
        Assert.Equal(Tensors.Floats(causalA[first]), Tensors.Floats(causalB[first]));    // without the span it would not
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_cached_continuation_after_an_image_prompt_equals_full_forward_passes()
    {
        var (model, dir) = Load(seed: 6);
        using var _ = model;
        var size = model.Spec.Vision.ImageSize;
        using var pixels = rand(new long[] { 2, 3, size, size }, generator: new Generator(3)).Mul(2).Sub(1);
        var images = new Gemma3Images(pixels);
        var ids = Prompt(model.Spec, images: 2).ToList();

        using var cache = model.NewCache();
        long[] Step(long[] chunk, long start, VisualInputs? visual)
        {
            using var scope = NewDisposeScope();
            var logits = model.Forward(new ForwardInputs(tensor(chunk).unsqueeze(0), arange(start, start + chunk.Length, dtype: ScalarType.Int64).unsqueeze(0),
                cache, LastPositionOnly: true, Visual: visual));
            return [logits[0, 0].argmax().item<long>()];
        }
        var next = Step([.. ids], 0, images);
        for (int i = 0; i < 6; i++)
        {
            using var scope = NewDisposeScope();
            ids.Add(next[0]);
            var full = model.Forward(new ForwardInputs(tensor(ids.ToArray()).unsqueeze(0), arange(ids.Count, dtype: ScalarType.Int64).unsqueeze(0), Visual: images));
            var cached = model.Forward(new ForwardInputs(tensor(next).unsqueeze(0), tensor(new long[] { ids.Count - 1 }).unsqueeze(0), cache, LastPositionOnly: true));
            var diff = (full[0, -1] - cached[0, 0]).abs().max().item<float>();
            Assert.True(diff < 1e-4f, $"step {i}: cached logits differ from a full pass by {diff}");
            next = [cached[0, 0].argmax().item<long>()];
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_prompt_whose_placeholders_do_not_match_its_images_is_refused_with_the_counts()
    {
        var (model, dir) = Load(seed: 1);
        using var _ = model;
        var size = model.Spec.Vision.ImageSize;
        using var pixels = zeros(2, 3, size, size);
        var ids = Prompt(model.Spec, images: 1);
        var e = Assert.Throws<ArgumentException>(() => model.Forward(new ForwardInputs(tensor(ids).unsqueeze(0),
            arange(ids.Length, dtype: ScalarType.Int64).unsqueeze(0), Visual: new Gemma3Images(pixels))));
        Assert.Contains("16 image placeholder tokens but 2 image(s) need 32", e.Message);
        Directory.Delete(dir, true);
    }
}
