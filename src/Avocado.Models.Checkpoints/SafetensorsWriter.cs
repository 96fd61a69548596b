using Avocado.Common.Files;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;

namespace Avocado.Models.Checkpoints;

/// <summary>Writes safetensors files and Hugging Face checkpoint directories, each file atomically.</summary>
public static class SafetensorsWriter
{
    /// <summary>
    /// Writes one safetensors file. <c>"format": "pt"</c> is added to the metadata unless it has a format:
    /// transformers refuses a file whose metadata lacks one.
    /// </summary>
    /// <exception cref="ArgumentException">Duplicate or reserved names, or a dtype safetensors cannot hold.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var layout = SafetensorsLayout.Plan(WritableTensor.Collect(tensors), WithFormat(metadata));
        using var staged = StagedFile.Write(Path.GetFullPath(path), layout.FileLength, layout.WriteTo);
        staged.Commit();
    }

    /// <summary>
    /// Writes <c>model.safetensors</c> into <paramref name="directory"/>, or, when the tensors hold more than
    /// <paramref name="maxShardBytes"/>, shards <c>model-00001-of-0000N.safetensors</c> and
    /// <c>model.safetensors.index.json</c>, splitting as transformers does (in the given order; a tensor larger than
    /// the limit gets a shard of its own). Files of an earlier checkpoint in that layout are removed, so old and new never mix.
    /// </summary>
    /// <remarks>
    /// New files are all written under temporary names before any old file is touched, so a failure while writing
    /// leaves the previous checkpoint intact, at the cost of disk room for both until the swap.
    /// </remarks>
    public static void WriteCheckpoint(string directory, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, long maxShardBytes = 5L << 30, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        var all = WritableTensor.Collect(tensors);
        var fullDirectory = Path.GetFullPath(directory);
        Directory.CreateDirectory(fullDirectory);
        var shards = SplitIntoShards(all, maxShardBytes);
        var fileMetadata = WithFormat(metadata);
        var staged = new List<StagedFile>();
        StagedFile? index = null;
        try
        {
            for (var i = 0; i < shards.Count; i++)
            {
                var name = shards.Count == 1 ? CheckpointFiles.SingleFile : CheckpointFiles.ShardName(i + 1, shards.Count);
                var layout = SafetensorsLayout.Plan(shards[i], fileMetadata);
                staged.Add(StagedFile.Write(Path.Combine(fullDirectory, name), layout.FileLength, layout.WriteTo));
            }
            index = shards.Count == 1 ? null : StageIndex(fullDirectory, shards, staged);
            // The old index goes first: from here until the new one lands, the directory holds no index that could
            // send a reader to a mix of old and new shards.
            File.Delete(Path.Combine(fullDirectory, CheckpointFiles.Index));
            if (index is not null)
            {
                File.Delete(Path.Combine(fullDirectory, CheckpointFiles.SingleFile));
            }
            foreach (var file in staged)
            {
                file.Commit();
            }
            index?.Commit();
            DeleteStaleShards(fullDirectory, staged.Select(s => Path.GetFileName(s.FinalPath)).ToHashSet(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var file in staged)
            {
                file.Dispose();
            }
            index?.Dispose();
        }
    }

    private static List<List<WritableTensor>> SplitIntoShards(List<WritableTensor> tensors, long maxShardBytes)
    {
        var shards = new List<List<WritableTensor>> { new() };
        long shardBytes = 0;
        foreach (var t in tensors)
        {
            if (shards[^1].Count > 0 && shardBytes + t.ByteLength > maxShardBytes)
            {
                shards.Add([]);
                shardBytes = 0;
            }
            shards[^1].Add(t);
            shardBytes += t.ByteLength;
        }
        return shards;
    }

    /// <summary>Stages the index in transformers' form: total_size in bytes, weight_map sorted by tensor name.</summary>
    private static StagedFile StageIndex(string directory, List<List<WritableTensor>> shards, List<StagedFile> shardFiles)
    {
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < shards.Count; i++)
        {
            foreach (var t in shards[i])
            {
                weightMap.Add(t.Name, Path.GetFileName(shardFiles[i].FinalPath));
            }
        }
        var totalSize = shards.Sum(shard => shard.Sum(t => t.ByteLength));
        return StagedFile.Write(Path.Combine(directory, CheckpointFiles.Index), 0, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            writer.WriteStartObject();
            writer.WriteStartObject("metadata");
            writer.WriteNumber("total_size", totalSize);
            writer.WriteEndObject();
            writer.WriteStartObject("weight_map");
            foreach (var (name, file) in weightMap)
            {
                writer.WriteString(name, file);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    private static void DeleteStaleShards(string directory, HashSet<string> keep)
    {
        foreach (var path in Directory.EnumerateFiles(directory, "model-*.safetensors"))
        {
            var name = Path.GetFileName(path);
            if (CheckpointFiles.IsShardName(name) && !keep.Contains(name))
            {
                File.Delete(path);
            }
        }
    }

    private static IReadOnlyDictionary<string, string> WithFormat(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is not null && metadata.ContainsKey("format"))
        {
            return metadata;
        }
        var withFormat = new OrderedDictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            withFormat.Add(key, value);
        }
        return withFormat;
    }
}
