using Avocado.Text.Chat;

namespace Avocado.Teachers.Tests.Cache;

/// <summary>The append-log layout of the response cache (what the data engine writes): resume, kills mid-append,
/// damaged entries, concurrent writers, and reading the entry-file layout and the log from either side.</summary>
public sealed class ResponseLogTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "avocado-log-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }

    /// <summary>Answers "echo: {prompt}" at once and counts calls.</summary>
    sealed class Echo : ITeacher
    {
        int calls;
        public int Calls => calls;
        public string Name => "echo";
        public string Family => TeacherFamilies.Qwen3;
        public string Revision => "r1";
        public string License => "Apache-2.0";

        public Task<TeacherReply> GenerateAsync(TeacherRequest request, CancellationToken ct)
        {
            Interlocked.Increment(ref calls);
            var content = "echo: " + request.Messages[^1].Content;
            return Task.FromResult(new TeacherReply
            {
                Content = content, Text = content, CompletionTokens = 3, PromptHash = "h", Teacher = Name, Revision = Revision, License = License,
            });
        }
    }

    static TeacherRequest Ask(string prompt, int sample = 0) => new() { Messages = [ChatMessage.User(prompt)], SampleIndex = sample };

    ResponseCache Log() => new(root, ResponseCacheLayout.AppendLog);

    string LogDir => Path.Combine(root, "log");

    static TeacherReply Reply(string content) => new()
    {
        Content = content, Text = content, PromptHash = "h", Teacher = "echo", Revision = "r1", License = "Apache-2.0",
    };

    static string KeyOf(string prompt) => ResponseCache.Key("echo", "r1", TeacherPrompt.CanonicalJson(Ask(prompt)), Ask(prompt));

    [Fact]
    public async Task A_second_run_reads_the_first_runs_log_and_makes_zero_teacher_calls()
    {
        var requests = Enumerable.Range(0, 20).Select(i => Ask($"q{i}", i % 2)).ToArray();
        var echo = new Echo();
        using (var cache = Log())
        {
            var cached = new CachedTeacher(echo, cache);
            await Task.WhenAll(requests.Select(r => cached.GenerateAsync(r, default)));
            Assert.Equal(new CacheStats(0, 20, 0, 20), cached.Stats);
        }
        Assert.Equal(20, echo.Calls);
        // One log pair, no entry files.
        Assert.Equal(["log"], Directory.EnumerateDirectories(root).Select(d => Path.GetFileName(d)));
        Assert.Equal(2, Directory.EnumerateFiles(LogDir).Count());

        using (var cache = Log())
        {
            var cached = new CachedTeacher(echo, cache);
            var second = await Task.WhenAll(requests.Select(r => cached.GenerateAsync(r, default)));
            Assert.Equal(20, echo.Calls);
            Assert.All(second, r => Assert.True(r.FromCache));
            Assert.Equal("echo: q7", second[7].Content);
        }
        // Nothing was written, so the second run created no log of its own.
        Assert.Equal(2, Directory.EnumerateFiles(LogDir).Count());
    }

    [Fact]
    public void A_writer_killed_mid_append_leaves_entries_that_are_ignored_and_asked_again()
    {
        var keys = new[] { "a", "b", "c" }.Select(KeyOf).ToArray();
        using (var cache = Log())
            for (int i = 0; i < keys.Length; i++) cache.Put(keys[i], Reply($"reply {i}"));
        var entries = Directory.EnumerateFiles(LogDir, "*.jsonl").Single();
        var index = Path.ChangeExtension(entries, ".index");
        // Killed while appending "c": its entry half written, its index line cut before the newline.
        var whole = File.ReadAllBytes(entries);
        File.WriteAllBytes(entries, whole[..(whole.Length - 20)]);
        var lines = File.ReadAllText(index);
        File.WriteAllText(index, lines[..^1]);

        using var reopened = Log();
        Assert.Equal("reply 0", reopened.TryGet(keys[0])?.Content);
        Assert.Equal("reply 1", reopened.TryGet(keys[1])?.Content);
        Assert.Null(reopened.TryGet(keys[2]));
        Assert.Equal(0, reopened.Stats.Corrupt); // never indexed, so never read

        reopened.Put(keys[2], Reply("reply 2, again"));
        using var third = Log();
        Assert.Equal("reply 2, again", third.TryGet(keys[2])?.Content);
    }

    [Fact]
    public void A_damaged_entry_is_a_miss_and_its_next_write_replaces_it()
    {
        var key = KeyOf("fragile");
        using (var cache = Log()) cache.Put(key, Reply("good"));
        var entries = Directory.EnumerateFiles(LogDir, "*.jsonl").Single();
        var bytes = File.ReadAllBytes(entries);
        bytes[10] = (byte)'#'; // inside "format": no longer JSON
        File.WriteAllBytes(entries, bytes);

        using (var cache = Log())
        {
            Assert.Null(cache.TryGet(key));
            Assert.Equal(1, cache.Stats.Corrupt);
            cache.Put(key, Reply("rewritten"));
            Assert.Equal("rewritten", cache.TryGet(key)?.Content);
        }
        using var later = Log(); // two logs now; the later one's entry wins
        Assert.Equal("rewritten", later.TryGet(key)?.Content);
        Assert.Equal(0, later.Stats.Corrupt);
    }

    [Fact]
    public async Task Concurrent_writers_in_one_process_and_across_processes_lose_nothing()
    {
        var keys = Enumerable.Range(0, 400).Select(i => KeyOf($"p{i}")).ToArray();
        using (var a = Log())
        using (var b = Log()) // a second process on the same directory: its own log
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() =>
            {
                for (int i = w; i < keys.Length; i += 8) (i % 2 == 0 ? a : b).Put(keys[i], Reply($"reply {i}"));
            })));
            Assert.Equal("reply 2", a.TryGet(keys[2])?.Content);
            Assert.Null(a.TryGet(keys[3]));   // written by the other process after this one opened
        }
        Assert.Equal(4, Directory.EnumerateFiles(LogDir).Count());
        using var reader = Log();
        for (int i = 0; i < keys.Length; i++) Assert.Equal($"reply {i}", reader.TryGet(keys[i])?.Content);
        Assert.Equal(new CacheStats(keys.Length, 0, 0, 0), reader.Stats);
    }

    [Fact]
    public void Either_layout_reads_what_the_other_wrote()
    {
        var (old, fresh) = (KeyOf("from an earlier version"), KeyOf("appended"));
        using (var files = new ResponseCache(root)) files.Put(old, Reply("entry file"));
        Assert.True(File.Exists(new ResponseCache(root).PathOf(old)));

        using (var log = Log())
        {
            Assert.Equal("entry file", log.TryGet(old)?.Content); // an output directory of an earlier version resumes
            log.Put(fresh, Reply("log entry"));
            Assert.False(File.Exists(log.PathOf(fresh)));
        }
        using var reader = new ResponseCache(root);
        Assert.Equal("log entry", reader.TryGet(fresh)?.Content);
        Assert.Equal("entry file", reader.TryGet(old)?.Content);
    }

    [Fact]
    public void A_disposed_cache_refuses_writes()
    {
        var cache = Log();
        cache.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cache.Put(KeyOf("late"), Reply("x")));
    }
}
