using System.Collections.ObjectModel;
using TorchSharp;

namespace Avocado.Models.Checkpoints;

/// <summary>
/// A checkpoint as Hugging Face lays it out: one <c>model.safetensors</c>, or shards named by
/// <c>model.safetensors.index.json</c>. Every shard is validated against the index when opened, so a
/// missing or inconsistent shard is reported before any weight is loaded.
/// </summary>
public sealed class CheckpointReader : IDisposable
{
    private readonly Dictionary<string, SafetensorsFile> _files;

    /// <summary>The index, or the single file: what errors about the checkpoint as a whole name.</summary>
    private readonly string _source;

    private CheckpointReader(string source, IReadOnlyDictionary<string, TensorEntry> tensors, Dictionary<string, SafetensorsFile> files)
    {
        _source = source;
        Directory = Path.GetDirectoryName(source)!;
        Tensors = tensors;
        _files = files;
    }

    /// <summary>
    /// Opens a directory holding <c>model.safetensors</c> (preferred, as transformers does) or
    /// <c>model.safetensors.index.json</c>; or one .safetensors file; or an index file.
    /// </summary>
    /// <exception cref="FileNotFoundException">The path does not exist, or the directory holds neither file.</exception>
    /// <exception cref="CheckpointFormatException">A file is malformed or the index does not match its shards.</exception>
    public static CheckpointReader Open(string dirOrFile)
    {
        var fullPath = Path.GetFullPath(dirOrFile);
        if (File.Exists(fullPath))
        {
            return fullPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? OpenIndex(fullPath) : OpenSingle(fullPath);
        }
        if (!System.IO.Directory.Exists(fullPath))
        {
            throw new FileNotFoundException($"{fullPath}: no such checkpoint file or directory", fullPath);
        }
        var single = Path.Combine(fullPath, CheckpointFiles.SingleFile);
        if (File.Exists(single))
        {
            return OpenSingle(single);
        }
        var index = Path.Combine(fullPath, CheckpointFiles.Index);
        if (File.Exists(index))
        {
            return OpenIndex(index);
        }
        throw new FileNotFoundException($"{fullPath}: holds neither {CheckpointFiles.SingleFile} nor {CheckpointFiles.Index}", single);
    }

    /// <summary>The directory the checkpoint's files are in.</summary>
    public string Directory { get; }

    /// <summary>Every tensor, with the shard file it is stored in.</summary>
    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }

    /// <inheritdoc cref="SafetensorsFile.Read"/>
    public torch.Tensor Read(string name)
    {
        if (!Tensors.TryGetValue(name, out var entry))
        {
            throw new CheckpointFormatException(_source, "no such tensor in the checkpoint", name);
        }
        return _files[entry.FilePath].Read(name);
    }

    public void Dispose()
    {
        foreach (var file in _files.Values)
        {
            file.Dispose();
        }
    }

    private static CheckpointReader OpenSingle(string path)
    {
        var file = SafetensorsFile.Open(path);
        return new CheckpointReader(file.Path, file.Tensors, new() { [file.Path] = file });
    }

    private static CheckpointReader OpenIndex(string indexPath)
    {
        var directory = Path.GetDirectoryName(indexPath)!;
        var weightMap = ShardIndex.ReadWeightMap(indexPath);
        var files = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            var tensors = new OrderedDictionary<string, TensorEntry>(StringComparer.Ordinal);
            foreach (var (name, shardName) in weightMap)
            {
                var shardPath = Path.Combine(directory, shardName);
                if (!files.TryGetValue(shardPath, out var shard))
                {
                    shard = OpenShard(indexPath, shardPath, name);
                    files.Add(shardPath, shard);
                    AddShardTensors(indexPath, shard, tensors);
                }
                if (!shard.Tensors.ContainsKey(name))
                {
                    throw new CheckpointFormatException(indexPath, $"weight_map places it in {shardName}, which does not contain it", name);
                }
            }
            return new CheckpointReader(indexPath, new ReadOnlyDictionary<string, TensorEntry>(tensors), files);
        }
        catch
        {
            foreach (var file in files.Values)
            {
                file.Dispose();
            }
            throw;
        }
    }

    private static SafetensorsFile OpenShard(string indexPath, string shardPath, string firstTensor)
    {
        if (!File.Exists(shardPath))
        {
            throw new CheckpointFormatException(indexPath, $"weight_map places it in {Path.GetFileName(shardPath)}, which does not exist", firstTensor);
        }
        return SafetensorsFile.Open(shardPath);
    }

    /// <summary>
    /// Takes every tensor a shard holds, listed in the index or not (transformers loads whole shards too),
    /// but refuses one held by two shards: which copy wins would depend on load order.
    /// </summary>
    private static void AddShardTensors(string indexPath, SafetensorsFile shard, OrderedDictionary<string, TensorEntry> tensors)
    {
        foreach (var (name, entry) in shard.Tensors)
        {
            if (!tensors.TryAdd(name, entry))
            {
                throw new CheckpointFormatException(indexPath, $"stored in both {Path.GetFileName(tensors[name].FilePath)} and {Path.GetFileName(shard.Path)}", name);
            }
        }
    }
}
