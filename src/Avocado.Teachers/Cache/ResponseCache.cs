using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Avocado.Teachers;

/// <summary>Counters of a <see cref="ResponseCache"/> or a <see cref="CachedTeacher"/>.</summary>
public sealed record CacheStats(long Hits, long Misses, long Corrupt, long Writes)
{
    public override string ToString() => $"{Hits} hits, {Misses} misses, {Corrupt} corrupt entries replaced, {Writes} writes";
}

/// <summary>
/// Content-addressed on-disk store of teacher replies. The key (<see cref="Key"/>) is the SHA-256 of the teacher's
/// name and revision, the hash of its rendered prompt, the sampling settings, the sample index and the log-probability
/// settings; the entry is one JSON file at <c>{root}/{key[0..2]}/{key[2..4]}/{key}.json</c>. Writes go to a temporary
/// file that is renamed over the entry, so a killed process leaves either the old entry, the new
/// one, or a stray <c>*.tmp</c> — never half an entry; an entry that is unreadable anyway (truncated, edited,
/// another format) is a miss and is overwritten by the next write. Safe for concurrent use, also by several processes.
/// </summary>
public sealed class ResponseCache
{
    public const string Format = "avocado.teacher-reply/1";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        RespectNullableAnnotations = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    long hits, misses, corrupt, writes;

    public string Root { get; }

    /// <summary>Opens (creating) the cache directory and removes temporary files older than an hour (left by killed writers).</summary>
    public ResponseCache(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        RemoveStaleTemporaryFiles(TimeSpan.FromHours(1));
    }

    public CacheStats Stats => new(Interlocked.Read(ref hits), Interlocked.Read(ref misses), Interlocked.Read(ref corrupt), Interlocked.Read(ref writes));

    /// <summary>The cache key of <paramref name="request"/> to the teacher named <paramref name="teacher"/> at
    /// <paramref name="revision"/>, whose prompt is <paramref name="renderedPrompt"/> (<see cref="ITeacher.RenderPrompt"/>).</summary>
    public static string Key(string teacher, string revision, string renderedPrompt, TeacherRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteString("teacher", teacher);
            w.WriteString("revision", revision);
            w.WriteString("prompt_sha256", TeacherPrompt.Sha256Hex(renderedPrompt));
            w.WriteNumber("temperature", request.Sampling.Temperature);
            w.WriteNumber("top_p", request.Sampling.TopP);
            w.WriteNumber("top_k", request.Sampling.TopK);
            w.WriteNumber("max_tokens", request.Sampling.MaxTokens);
            if (request.Sampling.Seed is { } seed) w.WriteNumber("seed", seed); else w.WriteNull("seed");
            w.WriteNumber("sample_index", request.SampleIndex);
            if (request.TopLogprobs is { } top) w.WriteNumber("top_logprobs", top); else w.WriteNull("top_logprobs");
            w.WriteString("reasoning_effort", TeacherPrompt.EffortName(request.ReasoningEffort));
            w.WriteBoolean("enable_thinking", request.EnableThinking);
            w.WriteEndObject();
        }
        return TeacherPrompt.Sha256Hex(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Where the entry of <paramref name="key"/> lives.</summary>
    public string PathOf(string key)
    {
        if (key is null || key.Length != 64 || !key.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException($"a cache key is 64 lower-case hex digits, got '{key}'", nameof(key));
        return Path.Combine(Root, key[..2], key[2..4], key + ".json");
    }

    /// <summary>The stored reply, or null (a miss) when there is none or it cannot be read.</summary>
    public TeacherReply? TryGet(string key)
    {
        var path = PathOf(key);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            Interlocked.Increment(ref misses);
            return null;
        }
        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(bytes, Json);
            if (entry is { Format: Format, Reply: { } reply } && entry.Key == key)
            {
                Interlocked.Increment(ref hits);
                return reply;
            }
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException) { }
        Interlocked.Increment(ref corrupt);
        Interlocked.Increment(ref misses);
        return null;
    }

    /// <summary>Stores <paramref name="reply"/> under <paramref name="key"/> atomically (replacing what was there).</summary>
    /// <exception cref="IOException">The entry could not be written (the message names the file).</exception>
    public void Put(string key, TeacherReply reply, TeacherRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var path = PathOf(key);
        var entry = new Entry
        {
            Format = Format,
            Key = key,
            Created = DateTimeOffset.UtcNow,
            Request = request is null ? null : new RequestSummary(request.Sampling, request.SampleIndex, request.TopLogprobs,
                TeacherPrompt.EffortName(request.ReasoningEffort), request.EnableThinking),
            Reply = reply with { FromCache = false },
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(entry, Json);
        var tmp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(bytes);
                // No fsync: the rename makes the entry appear whole to other processes, and an entry a power loss
                // truncates reads back as corrupt, i.e. a miss — so durability costs a re-request, not a wrong answer.
                stream.Flush(flushToDisk: false);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw new IOException($"cannot write the teacher cache entry {path}: {e.Message} (is the disk full, or the cache directory read-only?)", e);
        }
        Interlocked.Increment(ref writes);
    }

    /// <summary>Deletes <c>*.tmp</c> files older than <paramref name="age"/> (a writer killed between write and rename).</summary>
    public int RemoveStaleTemporaryFiles(TimeSpan age)
    {
        int removed = 0;
        var cutoff = DateTime.UtcNow - age;
        foreach (var tmp in Directory.EnumerateFiles(Root, "*.tmp", SearchOption.AllDirectories))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(tmp) >= cutoff) continue;
                File.Delete(tmp);
                removed++;
            }
            catch (IOException) { }
        }
        return removed;
    }

    /// <summary>One cache file.</summary>
    internal sealed record Entry
    {
        public required string Format { get; init; }
        public required string Key { get; init; }
        public DateTimeOffset Created { get; init; }
        /// <summary>For people reading the file; the key already covers it.</summary>
        public RequestSummary? Request { get; init; }
        public required TeacherReply Reply { get; init; }
    }

    internal sealed record RequestSummary(TeacherSampling Sampling, int SampleIndex, int? TopLogprobs, string? ReasoningEffort, bool EnableThinking);
}
