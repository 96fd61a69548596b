using System.Text.Json;
using System.Text.Json.Serialization;

namespace Avocado.Teachers;

/// <summary>Counters of a <see cref="ResponseCache"/> or a <see cref="CachedTeacher"/>.</summary>
public sealed record CacheStats(long Hits, long Misses, long Corrupt, long Writes)
{
    public override string ToString() => $"{Hits} hits, {Misses} misses, {Corrupt} corrupt entries replaced, {Writes} writes";
}

/// <summary>How a <see cref="ResponseCache"/> stores the entries it writes (it reads both kinds whichever it writes).</summary>
public enum ResponseCacheLayout
{
    /// <summary>One file per entry, <c>{root}/{key[0..2]}/{key[2..4]}/{key}.json</c>, renamed into place: every
    /// process sees an entry the moment it is written. Each write creates a file and often two directories, which
    /// costs 0.2–1.5 ms of kernel time per entry on the benchmark machine (docs/BENCHMARKS.md).</summary>
    EntryFiles,
    /// <summary>Entries appended to this cache's own log under <c>{root}/log/</c> (two appends per entry, a few
    /// microseconds). Other processes see them when they next open the cache. What the data engine uses.</summary>
    AppendLog,
}

/// <summary>
/// Content-addressed on-disk store of teacher replies. The key (<see cref="Key"/>) is the SHA-256 of the teacher's
/// name and revision, the hash of its rendered prompt, the sampling settings, the sample index and the log-probability
/// settings. With <see cref="ResponseCacheLayout.EntryFiles"/> (the default) the entry is one JSON file at
/// <c>{root}/{key[0..2]}/{key[2..4]}/{key}.json</c>; writes go to a temporary file that is renamed over the entry, so a
/// killed process leaves either the old entry, the new one, or a stray <c>*.tmp</c> — never half an entry. With
/// <see cref="ResponseCacheLayout.AppendLog"/> entries are appended to a log of this instance (<see cref="ResponseLog"/>),
/// which is far cheaper per write. Lookups read both. An entry that is unreadable anyway (truncated, edited, another
/// format) is a miss and is replaced by the next write. Safe for concurrent use, also by several processes.
/// </summary>
public sealed class ResponseCache : IDisposable
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

    readonly ResponseLog log;
    /// <summary>False when an append-log cache opened a directory without entry files: its lookups then skip the file
    /// system (it sees other processes' entries as of its opening, as it does their logs).</summary>
    readonly bool readEntryFiles;

    public string Root { get; }
    public ResponseCacheLayout Layout { get; }

    /// <summary>Opens (creating) the cache directory with the <see cref="ResponseCacheLayout.EntryFiles"/> layout.</summary>
    public ResponseCache(string root) : this(root, ResponseCacheLayout.EntryFiles) { }

    /// <summary>Opens (creating) the cache directory, reads the indexes of its logs, and removes temporary files older
    /// than an hour (left by killed writers).</summary>
    public ResponseCache(string root, ResponseCacheLayout layout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (!Enum.IsDefined(layout)) throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown cache layout");
        Root = Path.GetFullPath(root);
        Layout = layout;
        Directory.CreateDirectory(Root);
        RemoveStaleTemporaryFiles(TimeSpan.FromHours(1));
        log = new ResponseLog(Root);
        readEntryFiles = layout == ResponseCacheLayout.EntryFiles
            || Directory.EnumerateDirectories(Root).Any(d => Path.GetFileName(d) != ResponseLog.DirectoryName);
    }

    /// <summary>Closes the log files; an entry-file cache holds none open unless it read a log.</summary>
    public void Dispose() => log.Dispose();

    public CacheStats Stats => new(Interlocked.Read(ref hits), Interlocked.Read(ref misses), Interlocked.Read(ref corrupt), Interlocked.Read(ref writes));

    /// <summary>The cache key of <paramref name="request"/> to the teacher named <paramref name="teacher"/> at
    /// <paramref name="revision"/>, whose prompt is <paramref name="renderedPrompt"/> (<see cref="ITeacher.RenderPrompt"/>).</summary>
    public static string Key(string teacher, string revision, string renderedPrompt, TeacherRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var promptHash = TeacherPrompt.Sha256Hex(renderedPrompt);
        // The hash of the written UTF-8 bytes: what hashing their decoded text gave before, without the round trip.
        return ScratchJson.Build(relaxedEscaping: false, w =>
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteString("teacher", teacher);
            w.WriteString("revision", revision);
            w.WriteString("prompt_sha256", promptHash);
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
        }, TeacherPrompt.Sha256Hex);
    }

    /// <summary>Where the entry of <paramref name="key"/> lives.</summary>
    public string PathOf(string key)
    {
        CheckKey(key);
        return Path.Combine(Root, key[..2], key[2..4], key + ".json");
    }

    static void CheckKey(string key)
    {
        if (key is null || key.Length != 64 || !key.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException($"a cache key is 64 lower-case hex digits, got '{key}'", nameof(key));
    }

    /// <summary>The stored reply, or null (a miss) when there is none or it cannot be read.</summary>
    public TeacherReply? TryGet(string key)
    {
        CheckKey(key);
        bool damaged = false;
        // The log first (a dictionary lookup); a damaged log entry may have been rewritten as an entry file since.
        if (log.TryRead(key) is { } logged)
        {
            if (Read(logged, key) is { } reply) return Hit(reply);
            damaged = true;
        }
        byte[]? bytes = null;
        try
        {
            // Most lookups of a fresh run miss; a stat is several times cheaper than the exception a failed open throws.
            if (readEntryFiles && PathOf(key) is var path && File.Exists(path)) bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { } // removed since the stat
        if (bytes is not null)
        {
            if (Read(bytes, key) is { } reply) return Hit(reply);
            damaged = true;
        }
        if (damaged) Interlocked.Increment(ref corrupt);
        Interlocked.Increment(ref misses);
        return null;
    }

    TeacherReply Hit(TeacherReply reply)
    {
        Interlocked.Increment(ref hits);
        return reply;
    }

    /// <summary>The reply of a stored entry, or null when the bytes are not an entry of this key.</summary>
    static TeacherReply? Read(byte[] bytes, string key)
    {
        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(bytes, Json);
            return entry is { Format: Format, Reply: { } reply } && entry.Key == key ? reply : null;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Stores <paramref name="reply"/> under <paramref name="key"/> atomically (replacing what was there), as
    /// <see cref="Layout"/> says.</summary>
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
        if (Layout == ResponseCacheLayout.AppendLog)
        {
            try
            {
                // Serialized into this thread's scratch buffer and appended from there, not into an array per reply.
                ScratchJson.Build(relaxedEscaping: true, w => JsonSerializer.Serialize(w, entry, Json), json =>
                {
                    log.Append(key, json);
                    return true;
                });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"cannot append to the teacher cache log {log.WritingTo ?? Path.Combine(Root, ResponseLog.DirectoryName)}: "
                                      + $"{e.Message} (is the disk full, or the cache directory read-only?)", e);
            }
            Interlocked.Increment(ref writes);
            return;
        }
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
