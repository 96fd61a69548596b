using System.Text.Json;
using Avocado.Models;
using Avocado.Models.Checkpoints;
using Avocado.Models.Config;
using Avocado.Models.Gguf;
using Avocado.Text.Tokenizers;
using Avocado.Models.Layers;

namespace Avocado.Cli.Commands;

/// <summary><c>avocado model init|info|logits|export-gguf</c>.</summary>
public static class ModelCommands
{
    public static int Init(CommandArgs a)
    {
        var family = a.Required("family");
        if (!ModelFactory.Families.Contains(family) && !ModelFactory.SeeingFamilies.Contains(family))
            throw new UsageException($"--family must be one of {string.Join(", ", ModelFactory.Families.Concat(ModelFactory.SeeingFamilies))}, got '{family}'");
        var preset = a.Option("preset") ?? "tiny";
        if (preset != "tiny") throw new UsageException($"--preset '{preset}' is unknown; available: tiny");
        var outDir = a.Required("out");
        var seed = a.Int("seed") ?? 0;
        var vocab = a.Int("vocab-size");
        var dtype = ModelSaver.ParseDType(a.Option("dtype") ?? "f32");
        var tokenizerName = a.Option("tokenizer");
        if (family == "gemma3-vision")
        {
            if (tokenizerName is not null) throw new UsageException("--tokenizer: gemma3-vision writes its own small tokenizer (with the image tokens)");
            var written = SeeingModels.InitGemma3Vision(outDir, seed, vocab, dtype);
            Console.WriteLine($"wrote gemma3-vision ({preset}, {CountParameters(written):N0} parameters, seed {seed}, a byte-level tokenizer with " +
                              $"Gemma 3's image tokens and chat template) to {outDir}");
            return 0;
        }
        var config = TinyPresets.For(family, vocab);
        if (tokenizerName is not null)
        {
            if (!BuiltInTokenizers.Names.Contains(tokenizerName))
                throw new UsageException($"--tokenizer must be one of {string.Join(", ", BuiltInTokenizers.Names)}, got '{tokenizerName}'");
            var tokenizer = BuiltInTokenizers.Load(tokenizerName);
            var needed = tokenizer.VocabSize;
            if (vocab is { } v && v < needed)
                throw new UsageException($"--vocab-size {v} is smaller than the {tokenizerName} tokenizer's {needed} tokens");
            // The embedding covers every token id; special ids come from the tokenizer so generation stops correctly.
            config = TinyPresets.For(family, vocab ?? needed) with
            {
                BosTokenId = tokenizer.BosId is { } bos ? [bos] : null,
                EosTokenId = [.. tokenizer.EosIds],
                PadTokenId = tokenizer.PadId,
            };
        }
        ModelInit.Write(config, outDir, seed, dtype);
        if (tokenizerName is not null) BuiltInTokenizers.WriteTo(tokenizerName, outDir);
        Console.WriteLine($"wrote {family} ({preset}, {CountParameters(config):N0} parameters, seed {seed}" +
                          (tokenizerName is null ? "" : $", tokenizer {tokenizerName}") + $") to {outDir}");
        return 0;
    }

    public static int Info(CommandArgs a)
    {
        var dir = a.Positional(0, "checkpoint directory");
        var json = a.Flag("json");
        var config = ConfigLoader.Load(dir);
        using var reader = CheckpointReader.Open(dir);
        var storedDtypes = reader.Tensors.Values.GroupBy(t => t.DType).ToDictionary(g => g.Key.ToString(), g => g.Count());
        var info = new
        {
            family = config.Family,
            model_type = config.ModelType,
            parameters = CountParameters(config),
            dtype = config.TorchDtype,
            stored_dtypes = storedDtypes,
            checkpoint_bytes = reader.Tensors.Values.Sum(t => t.ByteLength),
            vocab_size = config.VocabSize,
            hidden_size = config.HiddenSize,
            layers = config.NumHiddenLayers,
            heads = config.NumAttentionHeads,
            kv_heads = config.NumKeyValueHeads,
            head_dim = config.HeadDim,
            sliding_window = config.SlidingWindowSize,
            layer_types = config.EffectiveLayerTypes,
        };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        Console.WriteLine($"family:      {info.family} (model_type {info.model_type})");
        Console.WriteLine($"parameters:  {info.parameters:N0}");
        Console.WriteLine($"dtype:       {info.dtype ?? "unspecified"}; stored: {string.Join(", ", storedDtypes.Select(kv => $"{kv.Key} ×{kv.Value}"))}");
        Console.WriteLine($"shape:       vocab {info.vocab_size}, hidden {info.hidden_size}, {info.heads} heads / {info.kv_heads} kv heads × {info.head_dim}");
        var runs = RunLengths(config.EffectiveLayerTypes);
        Console.WriteLine($"layers:      {info.layers}: {runs}" + (info.sliding_window > 0 ? $" (window {info.sliding_window})" : ""));
        return 0;
    }

    static string RunLengths(IReadOnlyList<string> types) => string.Join(", ",
        types.Select((t, i) => (t, i)).GroupBy(x => x.t).Select(g => $"{g.Key.Replace("_attention", "")} ×{g.Count()}"))
        + " [" + string.Join(" ", types.Select(t => t == LayerTypes.Full ? "F" : "S")) + "]";

    /// <summary>Counts parameters without memory by building the model on the meta device.</summary>
    static long CountParameters(ModelConfig config)
    {
        using var model = ModelFactory.Create(config, TensorFactory.Meta());
        return model.parameters().Sum(p => p.numel());
    }

    public static int Logits(CommandArgs a)
    {
        var dir = a.Positional(0, "checkpoint directory");
        var ids = a.Ids("ids") ?? throw new UsageException("missing required option --ids");
        var outFile = a.Option("out");
        using var model = ModelLoader.Load(dir);
        foreach (var id in ids)
            if (id >= model.Config.VocabSize) throw new UsageException($"--ids: token {id} is outside the vocabulary [0, {model.Config.VocabSize})");
        using var logits = model.Logits(ids);
        var rows = Enumerable.Range(0, ids.Length).Select(t => logits[t].data<float>().ToArray()).ToArray();
        var text = JsonSerializer.Serialize(new { ids, logits = rows });
        if (outFile is null) Console.WriteLine(text);
        else
        {
            File.WriteAllText(outFile, text);
            Console.WriteLine($"wrote logits for {ids.Length} positions × {model.Config.VocabSize} to {outFile}");
        }
        return 0;
    }

    public static int ExportGguf(CommandArgs a)
    {
        var dir = a.Positional(0, "checkpoint directory");
        var outFile = a.Required("out");
        var weightType = (a.Option("dtype") ?? "f32") switch
        {
            "f32" => GgmlType.F32,
            "f16" => GgmlType.F16,
            var d => throw new UsageException($"--dtype '{d}': GGUF export supports f32 (exact) and f16"),
        };
        var result = GgufExporter.Export(dir, outFile, new GgufExportOptions { WeightType = weightType, Log = Console.Error.WriteLine });
        Console.WriteLine($"wrote {result.Path} ({result.Architecture}, {result.TensorCount} tensors, {result.FileBytes:N0} bytes)");
        return 0;
    }
}
