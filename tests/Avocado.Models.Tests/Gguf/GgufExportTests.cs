using System.Text.Json.Nodes;
using Avocado.Models.Checkpoints;
using Avocado.Models.Gguf;
using Avocado.Models.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.Gguf;

/// <summary>Names, shapes, metadata and weight conventions of the export, per family, against llama.cpp's loaders
/// (src/models/{qwen3,gemma3,openai-moe}.cpp) and convert_hf_to_gguf.py. Needs no llama.cpp.</summary>
public sealed class GgufExportTests : IDisposable
{
    private readonly string _dir = TinyCheckpoints.NewTempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void ExportsEveryTensorUnderLlamaCppNamesAndShapes(string family)
    {
        using var r = Export(family);

        Assert.Equal(ExpectedTensors(family).Order(), r.Tensors.Select(t => t.Name).Order());
        Assert.All(r.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
        // GGUF dims are innermost first: a PyTorch [out, in] matrix is {in, out}, as llama.cpp's create_tensor expects.
        Assert.Equal([64L, 512], r.Tensor("token_embd.weight").GgufDims);
        Assert.Equal([64L, 128], r.Tensor("blk.0.attn_q.weight").GgufDims);   // {n_embd, n_head·head_dim}
        Assert.Equal([64L, 64], r.Tensor("blk.1.attn_k.weight").GgufDims);    // {n_embd, n_head_kv·head_dim}
        Assert.Equal([128L, 64], r.Tensor("blk.1.attn_output.weight").GgufDims);
        if (family == "gpt-oss")
        {
            Assert.Equal([64L, 64, 8], r.Tensor("blk.0.ffn_gate_exps.weight").GgufDims); // {n_embd, n_ff_exp, n_expert}
            Assert.Equal([64L, 64, 8], r.Tensor("blk.0.ffn_down_exps.weight").GgufDims); // {n_ff_exp, n_embd, n_expert}
            Assert.Equal([64L, 8], r.Tensor("blk.1.ffn_up_exps.bias").GgufDims);
            Assert.Equal([64L, 8], r.Tensor("blk.1.ffn_gate_inp.weight").GgufDims);
            Assert.Equal([4L], r.Tensor("blk.1.attn_sinks.weight").GgufDims);
        }
        else
        {
            Assert.Equal([64L, 128], r.Tensor("blk.0.ffn_gate.weight").GgufDims);
            Assert.Equal([128L, 64], r.Tensor("blk.0.ffn_down.weight").GgufDims);
        }
    }

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void WritesTheMetadataLlamaCppReads(string family)
    {
        using var r = Export(family);
        var arch = family == "gpt-oss" ? "gpt-oss" : family;

        Assert.Equal("general.architecture", r.MetadataList[0].Key);
        Assert.Equal(arch, r.Get<string>("general.architecture"));
        Assert.Equal(0u, r.Get<uint>("general.file_type"));
        Assert.Equal(64u, r.Get<uint>($"{arch}.embedding_length"));
        Assert.Equal(4u, r.Get<uint>($"{arch}.attention.head_count"));
        Assert.Equal(2u, r.Get<uint>($"{arch}.attention.head_count_kv"));
        Assert.Equal(32u, r.Get<uint>($"{arch}.attention.key_length"));
        Assert.Equal(32u, r.Get<uint>($"{arch}.attention.value_length"));
        Assert.Equal(512, r.Get<string[]>("tokenizer.ggml.tokens").Length);
        Assert.Equal("gpt2", r.Get<string>("tokenizer.ggml.model"));
        switch (family)
        {
            case "qwen3":
                Assert.Equal(2u, r.Get<uint>("qwen3.block_count"));
                Assert.Equal(128u, r.Get<uint>("qwen3.feed_forward_length"));
                Assert.Equal(512u, r.Get<uint>("qwen3.context_length"));
                Assert.Equal(1e6f, r.Get<float>("qwen3.rope.freq_base"));
                Assert.Equal(1e-6f, r.Get<float>("qwen3.attention.layer_norm_rms_epsilon"));
                break;
            case "gemma3":
                Assert.Equal(6u, r.Get<uint>("gemma3.block_count"));
                Assert.Equal(8u, r.Get<uint>("gemma3.attention.sliding_window"));
                Assert.Equal(6u, r.Get<uint>("gemma3.attention.sliding_window_pattern")); // layers 0-4 slide, 5 is full
                Assert.Equal(1e6f, r.Get<float>("gemma3.rope.freq_base"));
                Assert.Equal(1e4f, r.Get<float>("gemma3.rope.freq_base_swa"));
                Assert.False(r.Metadata.ContainsKey("gemma3.final_logit_softcapping"));
                break;
            case "gpt-oss":
                Assert.Equal(2u, r.Get<uint>("gpt-oss.block_count"));
                Assert.Equal(8u, r.Get<uint>("gpt-oss.expert_count"));
                Assert.Equal(4u, r.Get<uint>("gpt-oss.expert_used_count"));
                Assert.Equal(64u, r.Get<uint>("gpt-oss.expert_feed_forward_length"));
                Assert.Equal(8u, r.Get<uint>("gpt-oss.attention.sliding_window"));
                Assert.Equal(2u, r.Get<uint>("gpt-oss.attention.sliding_window_pattern")); // even layers slide
                Assert.Equal(150000f, r.Get<float>("gpt-oss.rope.freq_base"));
                Assert.Equal("yarn", r.Get<string>("gpt-oss.rope.scaling.type"));
                Assert.Equal(32f, r.Get<float>("gpt-oss.rope.scaling.factor"));
                Assert.Equal(4096u, r.Get<uint>("gpt-oss.rope.scaling.original_context_length"));
                Assert.Equal(1e-5f, r.Get<float>("gpt-oss.attention.layer_norm_rms_epsilon"));
                break;
        }
    }

    [Fact]
    public void LayerTypesWithoutAPeriodAreWrittenAsFlags()
    {
        var dir = CopyOf("gemma3", c => c["layer_types"] = new JsonArray(
            "sliding_attention", "full_attention", "sliding_attention", "sliding_attention", "sliding_attention", "full_attention"));
        var path = Path.Combine(_dir, "flags.gguf");
        var result = GgufExporter.Export(dir, path);
        using var r = GgufReader.Open(path);
        Assert.Equal([true, false, true, true, true, false], r.Get<bool[]>("gemma3.attention.sliding_window_pattern"));
        Assert.Contains(result.Warnings, w => w.Contains("no period"));
    }

    [Fact]
    public void Qwen3WeightsAreCopiedUnchanged()
    {
        using var r = Export("qwen3");
        using var hf = CheckpointReader.Open(TinyCheckpoints.Get("qwen3"));
        AssertSame(hf.Read("model.layers.1.self_attn.q_proj.weight"), r, "blk.1.attn_q.weight");
        AssertSame(hf.Read("model.layers.0.post_attention_layernorm.weight"), r, "blk.0.ffn_norm.weight");
    }

    [Fact]
    public void Gemma3NormWeightsGetOneAdded()
    {
        using var r = Export("gemma3");
        using var hf = CheckpointReader.Open(TinyCheckpoints.Get("gemma3"));
        foreach (var (gguf, name) in new[]
                 {
                     ("blk.2.attn_norm.weight", "model.layers.2.input_layernorm.weight"),
                     ("blk.2.attn_q_norm.weight", "model.layers.2.self_attn.q_norm.weight"),
                     ("blk.2.post_attention_norm.weight", "model.layers.2.post_attention_layernorm.weight"),
                     ("blk.2.ffn_norm.weight", "model.layers.2.pre_feedforward_layernorm.weight"),
                     ("blk.2.post_ffw_norm.weight", "model.layers.2.post_feedforward_layernorm.weight"),
                     ("output_norm.weight", "model.norm.weight"),
                 })
        {
            AssertSame(hf.Read(name) + 1f, r, gguf);
        }
        AssertSame(hf.Read("model.layers.2.mlp.up_proj.weight"), r, "blk.2.ffn_up.weight");
    }

    [Fact]
    public void GptOssExpertsAreDequantizedAndSplitIntoGateAndUp()
    {
        using var r = Export("gpt-oss");
        using var hf = CheckpointReader.Open(TinyCheckpoints.Get("gpt-oss"));
        const string p = "model.layers.1.mlp.experts.";
        using var gateUp = Mxfp4.Dequantize(hf.Read(p + "gate_up_proj_blocks"), hf.Read(p + "gate_up_proj_scales")); // (E, 2I, hidden)
        AssertSame(gateUp[TensorIndex.Colon, TensorIndex.Slice(0, null, 2)], r, "blk.1.ffn_gate_exps.weight");
        AssertSame(gateUp[TensorIndex.Colon, TensorIndex.Slice(1, null, 2)], r, "blk.1.ffn_up_exps.weight");
        AssertSame(Mxfp4.Dequantize(hf.Read(p + "down_proj_blocks"), hf.Read(p + "down_proj_scales")), r, "blk.1.ffn_down_exps.weight");
        using var bias = hf.Read(p + "gate_up_proj_bias");
        AssertSame(bias[TensorIndex.Colon, TensorIndex.Slice(0, null, 2)], r, "blk.1.ffn_gate_exps.bias");
        AssertSame(bias[TensorIndex.Colon, TensorIndex.Slice(1, null, 2)], r, "blk.1.ffn_up_exps.bias");
        AssertSame(hf.Read(p + "down_proj_bias"), r, "blk.1.ffn_down_exps.bias");
        AssertSame(hf.Read("model.layers.1.self_attn.sinks"), r, "blk.1.attn_sinks.weight");
        AssertSame(hf.Read("model.layers.1.mlp.router.bias"), r, "blk.1.ffn_gate_inp.bias");
        AssertSame(hf.Read("lm_head.weight"), r, "output.weight");
    }

    [Fact]
    public void GptOssDequantizedLayoutExportsTheSameFile()
    {
        // transformers' dequantized layout stores experts (in, out): gate_up (E, hidden, 2I), down (E, I, hidden).
        var source = TinyCheckpoints.Get("gpt-oss");
        var dense = Path.Combine(_dir, "dense");
        using (var hf = CheckpointReader.Open(source))
        {
            var tensors = new List<KeyValuePair<string, Tensor>>();
            foreach (var name in hf.Tensors.Keys)
            {
                if (name.EndsWith("_scales", StringComparison.Ordinal))
                {
                    continue;
                }
                if (name.EndsWith("_blocks", StringComparison.Ordinal))
                {
                    var stem = name[..^"_blocks".Length];
                    var w = Mxfp4.Dequantize(hf.Read(name), hf.Read(stem + "_scales"));
                    tensors.Add(new(stem, w.transpose(1, 2).contiguous()));
                    continue;
                }
                tensors.Add(new(name, hf.Read(name)));
            }
            SafetensorsWriter.WriteCheckpoint(dense, tensors);
        }
        EditConfig(source, dense, c => c.Remove("quantization_config"));

        var fromMxfp4 = Path.Combine(_dir, "mxfp4.gguf");
        var fromDense = Path.Combine(_dir, "dense.gguf");
        GgufExporter.Export(source, fromMxfp4);
        GgufExporter.Export(dense, fromDense);

        using var a = GgufReader.Open(fromMxfp4);
        using var b = GgufReader.Open(fromDense);
        Assert.Equal(a.Tensors.Select(t => (t.Name, t.Type, string.Join(",", t.Shape))), b.Tensors.Select(t => (t.Name, t.Type, string.Join(",", t.Shape))));
        Assert.All(a.Tensors, t => Assert.True(a.ReadBytes(t).AsSpan().SequenceEqual(b.ReadBytes(b.Tensor(t.Name))), t.Name));
    }

    [Fact]
    public void F16KeepsNormsBiasesAndRouterInF32()
    {
        var path = Path.Combine(_dir, "f16.gguf");
        GgufExporter.Export(TinyCheckpoints.Get("gpt-oss"), path, new GgufExportOptions { WeightType = GgmlType.F16 });
        using var r = GgufReader.Open(path);

        Assert.Equal(1u, r.Get<uint>("general.file_type"));
        foreach (var name in new[] { "token_embd.weight", "output.weight", "blk.0.attn_q.weight", "blk.0.ffn_gate_exps.weight" })
        {
            Assert.Equal(GgmlType.F16, r.Tensor(name).Type);
        }
        foreach (var name in new[] { "output_norm.weight", "blk.0.attn_q.bias", "blk.0.attn_sinks.weight", "blk.0.ffn_gate_inp.weight", "blk.0.ffn_up_exps.bias" })
        {
            Assert.Equal(GgmlType.F32, r.Tensor(name).Type);
        }
        using var hf = CheckpointReader.Open(TinyCheckpoints.Get("gpt-oss"));
        using var q = hf.Read("model.layers.0.self_attn.q_proj.weight");
        Assert.Equal(q.to_type(ScalarType.Float16).to_type(ScalarType.Float32).data<float>().ToArray(), r.ReadFloats("blk.0.attn_q.weight"));
    }

    [Fact]
    public void UnsupportedModelTypeNamesTheField()
    {
        var dir = CopyOf("qwen3", c => c["model_type"] = "llama");
        var e = Assert.Throws<GgufExportException>(() => GgufExporter.Export(dir, Path.Combine(_dir, "x.gguf")));
        Assert.Contains("'model_type'", e.Message);
        Assert.Contains("'llama'", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "x.gguf")));
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        var dir = Path.Combine(_dir, "missing");
        using (var hf = CheckpointReader.Open(TinyCheckpoints.Get("qwen3")))
        {
            SafetensorsWriter.WriteCheckpoint(dir, hf.Tensors.Keys.Where(n => n != "model.layers.1.mlp.up_proj.weight")
                .Select(n => new KeyValuePair<string, Tensor>(n, hf.Read(n))).ToList());
        }
        EditConfig(TinyCheckpoints.Get("qwen3"), dir, _ => { });
        var e = Assert.Throws<GgufExportException>(() => GgufExporter.Export(dir, Path.Combine(_dir, "x.gguf")));
        Assert.Contains("'model.layers.1.mlp.up_proj.weight' is missing", e.Message);
    }

    [Fact]
    public void UnknownTensorIsNamedRatherThanDropped()
    {
        var dir = Path.Combine(_dir, "extra");
        using (var hf = CheckpointReader.Open(TinyCheckpoints.Get("qwen3")))
        {
            var tensors = hf.Tensors.Keys.Select(n => new KeyValuePair<string, Tensor>(n, hf.Read(n))).ToList();
            tensors.Add(new("model.layers.0.self_attn.o_proj.bias", zeros(64)));
            SafetensorsWriter.WriteCheckpoint(dir, tensors);
        }
        EditConfig(TinyCheckpoints.Get("qwen3"), dir, _ => { });
        var e = Assert.Throws<GgufExportException>(() => GgufExporter.Export(dir, Path.Combine(_dir, "x.gguf")));
        Assert.Contains("model.layers.0.self_attn.o_proj.bias", e.Message);
    }

    [Fact]
    public void Gemma3AttentionScaleOtherThanHeadDimIsRefused()
    {
        var dir = CopyOf("gemma3", c => c["query_pre_attn_scalar"] = 64);
        var e = Assert.Throws<GgufExportException>(() => GgufExporter.Export(dir, Path.Combine(_dir, "x.gguf")));
        Assert.Contains("'query_pre_attn_scalar'", e.Message);
        Assert.Contains("head_dim", e.Message);
    }

    [Fact]
    public void GptOssSwigluLimitOtherThanSevenIsRefused()
    {
        var dir = CopyOf("gpt-oss", c => c["swiglu_limit"] = 5.0);
        var e = Assert.Throws<GgufExportException>(() => GgufExporter.Export(dir, Path.Combine(_dir, "x.gguf")));
        Assert.Contains("'swiglu_limit'", e.Message);
    }

    [Fact]
    public void GptOssUntruncatedYarnIsExportedWithAWarning()
    {
        var log = new List<string>();
        var dir = CopyOf("gpt-oss", c => c["rope_scaling"]!["truncate"] = false); // as the published gpt-oss config
        var result = GgufExporter.Export(dir, Path.Combine(_dir, "x.gguf"), new GgufExportOptions { Log = log.Add });
        Assert.Contains(result.Warnings, w => w.Contains("truncate"));
        Assert.Contains(log, l => l.StartsWith("warning:") && l.Contains("truncate"));
        Assert.Contains(log, l => l.StartsWith($"[{result.TensorCount}/{result.TensorCount}]"));
    }

    internal static IEnumerable<string> ExpectedTensors(string family)
    {
        var (layers, perLayer, global) = family switch
        {
            "qwen3" => (2, new[] { "attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "attn_q_norm", "attn_k_norm", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down" },
                new[] { "token_embd.weight", "output_norm.weight" }), // tied: no output.weight
            "gemma3" => (6, new[] { "attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "attn_q_norm", "attn_k_norm", "post_attention_norm", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down", "post_ffw_norm" },
                new[] { "token_embd.weight", "output_norm.weight" }),
            "gpt-oss" => (2, new[] { "attn_norm", "attn_q", "attn_q.bias", "attn_k", "attn_k.bias", "attn_v", "attn_v.bias", "attn_output", "attn_output.bias", "attn_sinks", "post_attention_norm",
                    "ffn_gate_inp", "ffn_gate_inp.bias", "ffn_gate_exps", "ffn_gate_exps.bias", "ffn_up_exps", "ffn_up_exps.bias", "ffn_down_exps", "ffn_down_exps.bias" },
                new[] { "token_embd.weight", "output_norm.weight", "output.weight" }),
            _ => throw new ArgumentException(family),
        };
        return global.Concat(Enumerable.Range(0, layers).SelectMany(i =>
            perLayer.Select(n => n.EndsWith(".bias", StringComparison.Ordinal) ? $"blk.{i}.{n}" : $"blk.{i}.{n}.weight")));
    }

    private GgufReader Export(string family)
    {
        var path = Path.Combine(_dir, family + ".gguf");
        GgufExporter.Export(TinyCheckpoints.Get(family), path);
        return GgufReader.Open(path);
    }

    private static void AssertSame(Tensor expected, GgufReader r, string name)
    {
        using var e = expected.to_type(ScalarType.Float32).contiguous();
        Assert.Equal(e.shape, r.Tensor(name).Shape);
        Assert.Equal(e.data<float>().ToArray(), r.ReadFloats(name));
    }

    /// <summary>A copy of a tiny checkpoint with config.json edited.</summary>
    private string CopyOf(string family, Action<JsonObject> edit)
    {
        var source = TinyCheckpoints.Get(family);
        var dir = Path.Combine(_dir, family + "-edited");
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        }
        EditConfig(source, dir, edit);
        return dir;
    }

    internal static void EditConfig(string sourceDir, string targetDir, Action<JsonObject> edit)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(sourceDir, "config.json")))!.AsObject();
        edit(config);
        File.WriteAllText(Path.Combine(targetDir, "config.json"), config.ToJsonString());
    }
}
