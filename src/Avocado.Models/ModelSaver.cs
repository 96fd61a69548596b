using System.Text.Json.Nodes;
using Avocado.Models.Checkpoints;
using Avocado.Models.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models;

/// <summary>Writes a model in Hugging Face layout: config.json, generation_config.json, safetensors.</summary>
public static class ModelSaver
{
    /// <param name="mxfp4Experts">Expert blocks/scales to store instead of the float expert weights (gpt-oss, as
    /// published); empty to store floats, in which case config.json loses its quantization_config.</param>
    public static void Save(CausalLM model, string outDir, ScalarType dtype,
        IReadOnlyDictionary<string, (Tensor Blocks, Tensor Scales)>? mxfp4Experts = null)
    {
        Directory.CreateDirectory(outDir);
        var config = model.Config with { TorchDtype = DTypeName(dtype) };
        if (config is GptOssConfig g && (mxfp4Experts is null || mxfp4Experts.Count == 0))
            config = g with { QuantizationConfig = null };
        ConfigLoader.Save(config, outDir);
        WriteGenerationConfig(config, outDir);
        // The writer needs every tensor alive (it plans the header first); converted copies are freed afterwards.
        using var scope = NewDisposeScope();
        SafetensorsWriter.WriteCheckpoint(outDir, Tensors(model, dtype, mxfp4Experts).ToList());
    }

    static IEnumerable<KeyValuePair<string, Tensor>> Tensors(CausalLM model, ScalarType dtype,
        IReadOnlyDictionary<string, (Tensor Blocks, Tensor Scales)>? mxfp4)
    {
        foreach (var (name, p) in model.named_parameters())
        {
            if (mxfp4 is not null && mxfp4.TryGetValue(name, out var q))
            {
                yield return new(name + "_blocks", q.Blocks);
                yield return new(name + "_scales", q.Scales);
                continue;
            }
            yield return new(CheckpointLayout.Stored(model, name), p.detach().to(dtype));
        }
    }

    static void WriteGenerationConfig(ModelConfig config, string outDir)
    {
        var json = new JsonObject();
        if (config.BosTokenId is { Length: > 0 } bos) json["bos_token_id"] = bos[0];
        if (config.EosTokenId is { Length: > 0 } eos)
            json["eos_token_id"] = eos.Length == 1 ? eos[0] : new JsonArray(eos.Select(e => (JsonNode)e).ToArray());
        if (config.PadTokenId is { } pad) json["pad_token_id"] = pad;
        File.WriteAllText(Path.Combine(outDir, "generation_config.json"), json.ToJsonString(new() { WriteIndented = true }) + "\n");
    }

    public static string DTypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => throw new ArgumentException($"unsupported checkpoint dtype {dtype}; use float32, bfloat16 or float16"),
    };

    public static ScalarType ParseDType(string name) => name.ToLowerInvariant() switch
    {
        "f32" or "float32" or "fp32" => ScalarType.Float32,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        "f16" or "float16" or "fp16" => ScalarType.Float16,
        _ => throw new ArgumentException($"unknown dtype '{name}'; use f32, bf16 or f16"),
    };
}
