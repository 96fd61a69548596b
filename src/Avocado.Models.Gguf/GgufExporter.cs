using Avocado.Common.Files;
using System.Diagnostics;
using Avocado.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Gguf;

public sealed record GgufExportOptions
{
    /// <summary>F32 (the default: exact, for parity) or F16 (half the size). As llama.cpp's converter does, F16 applies to
    /// matrices only: 1-D tensors, norms, biases and the MoE router stay F32.</summary>
    public GgmlType WeightType { get; init; } = GgmlType.F32;

    /// <summary>Progress and warnings, one line each.</summary>
    public Action<string>? Log { get; init; }
}

public sealed record GgufExportResult(string Path, string Architecture, int TensorCount, long FileBytes, IReadOnlyList<string> Warnings);

/// <summary>
/// Exports a Hugging Face-layout checkpoint (config.json + safetensors) of Qwen3, Gemma 3 or gpt-oss to one GGUF file
/// that llama.cpp loads under its own tensor names, metadata keys and weight conventions, those of its
/// <c>convert_hf_to_gguf.py</c> (see docs/GGUF.md). Tensors are converted and written one at a time, so memory holds
/// one tensor (and its float32 copy), never the model twice. The file appears only once complete.
/// </summary>
public static class GgufExporter
{
    /// <summary>ggml's <c>LLAMA_FTYPE_ALL_F32</c> / <c>LLAMA_FTYPE_MOSTLY_F16</c>.</summary>
    private static uint FileType(GgmlType t) => t == GgmlType.F16 ? 1u : 0u;

    /// <exception cref="GgufExportException">Unsupported model type or setting, missing or unexpected tensors.</exception>
    public static GgufExportResult Export(string checkpointDir, string outPath, GgufExportOptions? options = null)
    {
        options ??= new GgufExportOptions();
        if (options.WeightType is not (GgmlType.F32 or GgmlType.F16))
        {
            throw new ArgumentException($"GGUF export writes F32 or F16 weights, not {options.WeightType}", nameof(options));
        }
        var log = options.Log ?? (_ => { });
        var config = HfConfig.Load(checkpointDir);
        var family = GgufFamily.For(config);

        var metadata = new GgufMetadata(family.Architecture);
        metadata.Add("general.architecture", GgufValue.String(family.Architecture));
        metadata.Add("general.name", GgufValue.String(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(checkpointDir)))));
        metadata.Add("general.file_type", GgufValue.U32(FileType(options.WeightType)));
        metadata.Add("general.quantization_version", GgufValue.U32(2));
        family.AddMetadata(config, metadata);

        using var reader = CheckpointReader.Open(checkpointDir);
        var source = new TensorSource(reader);
        var plan = family.PlanTensors(config, source).ToList(); // every shape check happens before a byte is written
        var unused = source.Unused().ToList();
        if (unused.Count > 0)
        {
            throw new GgufExportException($"{reader.Directory}: {unused.Count} tensor(s) have no place in a {family.Architecture} GGUF " +
                                          $"(was the checkpoint saved by another architecture?): {string.Join(", ", unused.Take(5))}");
        }
        foreach (var w in family.Warnings)
        {
            log($"warning: {w}");
        }
        var infos = plan.Select(t => new GgufTensorInfo(t.Name, TypeFor(t.Name, t.Shape, options.WeightType), t.Shape)).ToList();

        var path = Path.GetFullPath(outPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var clock = Stopwatch.StartNew();
        AtomicFile.Write(path, stream =>
        {
            // GgufWriter leaves the stream open (the staged file syncs and closes it).
            using var writer = new GgufWriter(stream, leaveOpen: true);
            writer.WriteHeader(metadata.Items, infos);
            for (var i = 0; i < plan.Count; i++)
            {
                WriteTensor(writer, plan[i], infos[i]);
                log($"[{i + 1}/{plan.Count}] {infos[i].Name} {infos[i].Type} [{string.Join(", ", infos[i].GgufDims)}] ({clock.Elapsed.TotalSeconds:F1} s)");
            }
            writer.Finish();
        });
        return new GgufExportResult(path, family.Architecture, plan.Count, new FileInfo(path).Length, family.Warnings);
    }

    /// <summary>convert_hf_to_gguf.py's rule: 1-D tensors, norms, biases (anything not ".weight") and the MoE router
    /// (ffn_gate_inp) stay F32 whatever is requested.</summary>
    internal static GgmlType TypeFor(string name, long[] shape, GgmlType requested) =>
        requested == GgmlType.F32
        || shape.Length <= 1
        || !name.EndsWith(".weight", StringComparison.Ordinal)
        || name.EndsWith("_norm.weight", StringComparison.Ordinal)
        || name.Contains(".ffn_gate_inp.", StringComparison.Ordinal)
            ? GgmlType.F32
            : requested;

    private static void WriteTensor(GgufWriter writer, PlannedTensor planned, GgufTensorInfo info)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var data = planned.Load();
        if (!data.shape.SequenceEqual(planned.Shape))
        {
            throw new InvalidOperationException($"GGUF tensor '{planned.Name}' came out [{string.Join(", ", data.shape)}], " +
                                                $"the header says [{string.Join(", ", planned.Shape)}]");
        }
        WriteData(writer, data.to_type(info.Type == GgmlType.F16 ? ScalarType.Float16 : ScalarType.Float32));
    }

    /// <summary>Writes a tensor's row-major bytes in pieces of at most <paramref name="chunkBytes"/>: TorchSharp
    /// exposes tensor memory as a Span, which cannot exceed 2 GB (gpt-oss-20b's embeddings are 2.3 GB in F32).</summary>
    internal static void WriteData(GgufWriter writer, Tensor t, long chunkBytes = 64L << 20)
    {
        using var flat = t.contiguous().reshape(-1);
        var total = flat.numel();
        var step = Math.Max(1, chunkBytes / flat.element_size());
        for (long start = 0; start < total; start += step)
        {
            using var piece = flat.narrow(0, start, Math.Min(step, total - start));
            writer.WriteTensorBytes(piece.bytes);
        }
    }
}
