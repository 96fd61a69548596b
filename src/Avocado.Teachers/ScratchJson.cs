using System.Buffers;
using System.Text.Json;

namespace Avocado.Teachers;

/// <summary>The bytes of JSON just written, turned into what the caller keeps (text, a hash).</summary>
internal delegate T FromJson<T>(ReadOnlySpan<byte> json);

/// <summary>
/// A JSON writer and its buffer, kept per thread, for the canonical forms built on every request (the prompt text, the
/// cache key): a new stream and writer each time made those about half of a request's garbage through the data engine,
/// and the collections it caused paused the run (docs/BENCHMARKS.md). The output is byte-for-byte what a fresh writer
/// with the same options writes, so cache keys do not change.
/// </summary>
internal sealed class ScratchJson
{
    const int KeepCapacity = 64 * 1024; // a buffer grown past this by a huge prompt is dropped, not kept per thread

    static readonly JsonWriterOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    [ThreadStatic] static ScratchJson? relaxedSlot, defaultSlot;

    readonly ArrayBufferWriter<byte> buffer = new(1024);
    readonly Utf8JsonWriter writer;

    ScratchJson(JsonWriterOptions options) => writer = new Utf8JsonWriter(buffer, options);

    /// <param name="relaxedEscaping">Non-ASCII text unescaped (<see cref="System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>);
    /// false: the default encoder.</param>
    public static T Build<T>(bool relaxedEscaping, Action<Utf8JsonWriter> write, FromJson<T> result)
    {
        ref var slot = ref relaxedEscaping ? ref relaxedSlot : ref defaultSlot;
        // Taken out of the slot while in use, so a Build inside another on the same thread gets its own.
        var scratch = slot ?? new ScratchJson(relaxedEscaping ? Relaxed : default);
        slot = null;
        try
        {
            scratch.buffer.ResetWrittenCount();
            scratch.writer.Reset(scratch.buffer);
            write(scratch.writer);
            scratch.writer.Flush();
            return result(scratch.buffer.WrittenSpan);
        }
        finally
        {
            if (scratch.buffer.Capacity <= KeepCapacity)
            {
                ref var back = ref relaxedEscaping ? ref relaxedSlot : ref defaultSlot;
                back = scratch;
            }
        }
    }
}
