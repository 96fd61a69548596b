using System.IO.MemoryMappedFiles;
using TorchSharp;

namespace Avocado.Models.Checkpoints;

/// <summary>
/// One safetensors file, memory-mapped so that reading a multi-GB checkpoint costs the tensors being read,
/// not a second copy of the file: each <see cref="Read"/> copies straight from the mapping into a new tensor.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile _mapping;
    private MemoryMappedViewAccessor? _view;

    private SafetensorsFile(string path, SafetensorsHeader header, MemoryMappedFile mapping, MemoryMappedViewAccessor view)
    {
        Path = path;
        Tensors = header.Tensors;
        Metadata = header.Metadata;
        _mapping = mapping;
        _view = view;
    }

    /// <summary>Opens and validates the header; no tensor data is touched until <see cref="Read"/>.</summary>
    /// <exception cref="CheckpointFormatException">The file is not a well-formed safetensors file.</exception>
    public static SafetensorsFile Open(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        // Delete sharing lets a writer replace the file (write a temp, rename over) while it is open here.
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        MemoryMappedFile? mapping = null;
        try
        {
            var header = SafetensorsHeader.Read(stream.SafeFileHandle, fullPath, stream.Length);
            mapping = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            var view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            return new SafetensorsFile(fullPath, header, mapping, view);
        }
        catch
        {
            mapping?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>The tensors in the order their data lies in the file.</summary>
    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>A new CPU tensor in the stored dtype and shape that owns its memory (it outlives this file).</summary>
    /// <exception cref="CheckpointFormatException">No tensor of that name is in the file.</exception>
    public torch.Tensor Read(string name)
    {
        var view = _view ?? throw new ObjectDisposedException(nameof(SafetensorsFile), $"{Path} is closed");
        if (!Tensors.TryGetValue(name, out var entry))
        {
            throw new CheckpointFormatException(Path, "no such tensor in the file", name);
        }
        var tensor = torch.empty(entry.Shape, StorageDTypes.ToTorch(entry.DType));
        try
        {
            CopyFromMapping(view, entry, tensor);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _view?.Dispose();
        _view = null;
        _mapping.Dispose();
    }

    private static unsafe void CopyFromMapping(MemoryMappedViewAccessor view, TensorEntry entry, torch.Tensor destination)
    {
        var handle = view.SafeMemoryMappedViewHandle;
        byte* mapped = null;
        // Acquiring takes a reference on the mapping, so a concurrent Dispose cannot unmap it under the copy.
        handle.AcquirePointer(ref mapped);
        try
        {
            var source = mapped + view.PointerOffset + entry.DataOffset;
            foreach (var (offset, slice) in TensorChunks.Of(destination))
            {
                using (slice)
                {
                    var target = slice.bytes;
                    new ReadOnlySpan<byte>(source + offset, target.Length).CopyTo(target);
                }
            }
        }
        finally
        {
            handle.ReleasePointer();
        }
    }
}
