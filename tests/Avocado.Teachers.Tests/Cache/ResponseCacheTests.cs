using Avocado.Teachers.Tests.Fakes;
using Avocado.Text.Chat;

namespace Avocado.Teachers.Tests.Cache;

/// <summary>The on-disk response cache and the caching decorator, in front of the endpoint teacher on a real HTTP server.</summary>
public sealed class ResponseCacheTests : IAsyncLifetime, IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "avocado-cache-" + Guid.NewGuid().ToString("N"));
    FakeOpenAiServer server = null!;

    public async Task InitializeAsync() => server = await FakeOpenAiServer.StartAsync(c =>
        new FakeResponse.Ok("echo: " + c.Prompt) { Reasoning = "thinking about " + c.Prompt, Tokens = [[0x65], [0xC3], [0xA9], [0x21]] });
    public async Task DisposeAsync() => await server.DisposeAsync();
    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }

    OpenAiTeacher Endpoint(string revision = "r1") => new(new OpenAiTeacherOptions
    {
        Name = "fake", Family = "qwen3", Endpoint = server.Endpoint, Model = "m", Revision = revision, MaxAttempts = 1,
    });

    static TeacherRequest Ask(string prompt, int sample = 0, int? top = 2) => new()
    {
        Messages = [ChatMessage.User(prompt)],
        Sampling = new TeacherSampling { Temperature = 0.8, MaxTokens = 64, Seed = 1 },
        SampleIndex = sample,
        TopLogprobs = top,
    };

    [Fact]
    public async Task A_second_run_with_the_same_requests_makes_zero_teacher_calls()
    {
        var requests = Enumerable.Range(0, 6).SelectMany(i => new[] { Ask($"q{i}", 0), Ask($"q{i}", 1) }).ToArray();

        List<TeacherReply> first;
        using (var teacher = Endpoint())
        {
            var cached = new CachedTeacher(teacher, new ResponseCache(root));
            first = [.. await Task.WhenAll(requests.Select(r => cached.GenerateAsync(r, default)))];
            Assert.Equal(new CacheStats(0, 12, 0, 12), cached.Stats);
            Assert.All(first, r => Assert.False(r.FromCache));
        }
        Assert.Equal(12, server.Calls.Count);

        // A new process: new teacher, new cache object over the same directory.
        using (var teacher = Endpoint())
        {
            var cached = new CachedTeacher(teacher, new ResponseCache(root));
            var second = await Task.WhenAll(requests.Select(r => cached.GenerateAsync(r, default)));

            Assert.Equal(12, server.Calls.Count);
            Assert.Equal(0, cached.TeacherCalls);
            Assert.Equal(12, cached.Stats.Hits);
            Assert.All(second, r => Assert.True(r.FromCache));
            for (int i = 0; i < requests.Length; i++)
            {
                Assert.Equal(first[i] with { FromCache = true, Logprobs = null, ToolCalls = [] }, second[i] with { Logprobs = null, ToolCalls = [] });
                Assert.Equal(first[i].Logprobs!, second[i].Logprobs!, (a, b) => a with { Top = [] } == b with { Top = [] } && a.Top.SequenceEqual(b.Top));
            }
            Assert.Equal("thinking about q3", second[6].Reasoning);
            Assert.Equal("eé!", second[6].Text);
            Assert.Equal((1, 2), (second[6].Logprobs![2].ByteOffset, second[6].Logprobs![2].ByteLength));
        }
    }

    [Fact]
    public async Task Keys_cover_teacher_revision_prompt_sampling_sample_index_and_logprob_settings()
    {
        using var teacher = Endpoint();
        string Key(TeacherRequest r, string name = "fake", string revision = "r1") =>
            ResponseCache.Key(name, revision, ((ITeacher)teacher).RenderPrompt(r), r);
        var baseline = Ask("q");

        var keys = new[]
        {
            Key(baseline),
            Key(baseline, name: "other"),
            Key(baseline, revision: "r2"),
            Key(Ask("q2")),
            Key(Ask("q", sample: 1)),
            Key(Ask("q", top: 5)),
            Key(Ask("q", top: null)),
            Key(baseline with { Sampling = baseline.Sampling with { Temperature = 0.7 } }),
            Key(baseline with { Sampling = baseline.Sampling with { Seed = 2 } }),
            Key(baseline with { Sampling = baseline.Sampling with { MaxTokens = 65 } }),
            Key(baseline with { EnableThinking = false }),
            Key(baseline with { ReasoningEffort = ReasoningEffort.Low }),
        };

        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal(Key(baseline), Key(Ask("q")));
        Assert.Matches("^[0-9a-f]{64}$", keys[0]);
        var cache = new ResponseCache(root);
        Assert.Equal(Path.Combine(root, keys[0][..2], keys[0][2..4], keys[0] + ".json"), cache.PathOf(keys[0]));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("empty")]
    [InlineData("not json")]
    [InlineData("another key")]
    public async Task An_unreadable_entry_is_a_miss_and_is_overwritten(string damage)
    {
        var cache = new ResponseCache(root);
        using var teacher = Endpoint();
        var cached = new CachedTeacher(teacher, cache);
        var request = Ask("fragile");
        await cached.GenerateAsync(request, default);
        var path = cache.PathOf(cached.KeyOf(request));
        var good = File.ReadAllBytes(path);

        // What a kill mid-write would leave if writes were not atomic, or an edited / foreign file.
        switch (damage)
        {
            case "truncated": File.WriteAllBytes(path, good[..(good.Length * 2 / 3)]); break;
            case "empty": File.WriteAllBytes(path, []); break;
            case "not json": File.WriteAllText(path, "\u0000\u0000garbage"); break;
            default: File.WriteAllText(path, File.ReadAllText(path).Replace(cached.KeyOf(request), new string('0', 64))); break;
        }
        Assert.Null(cache.TryGet(cached.KeyOf(request)));

        var again = await cached.GenerateAsync(request, default);

        Assert.False(again.FromCache);
        Assert.Equal(2, server.Calls.Count);
        Assert.True(cache.Stats.Corrupt >= 1);
        Assert.NotNull(cache.TryGet(cached.KeyOf(request)));
        Assert.True((await cached.GenerateAsync(request, default)).FromCache);
        Assert.Equal(2, server.Calls.Count);
    }

    [Fact]
    public async Task A_writer_killed_before_its_rename_leaves_only_a_temporary_file_that_is_ignored_and_cleaned()
    {
        var cache = new ResponseCache(root);
        using var teacher = Endpoint();
        var cached = new CachedTeacher(teacher, cache);
        var request = Ask("interrupted");
        var path = cache.PathOf(cached.KeyOf(request));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".0123456789abcdef0123456789abcdef.tmp";
        File.WriteAllText(tmp, "{\"format\": \"avocado.teacher-reply/1\", \"key\": ");
        File.SetLastWriteTimeUtc(tmp, DateTime.UtcNow.AddHours(-2));

        var reply = await cached.GenerateAsync(request, default);

        Assert.False(reply.FromCache);
        Assert.NotNull(cache.TryGet(cached.KeyOf(request)));
        Assert.Equal([tmp], Directory.EnumerateFiles(root, "*.tmp", SearchOption.AllDirectories));   // the writer's own was renamed
        _ = new ResponseCache(root);                                                                    // the next run's start-up
        Assert.Empty(Directory.EnumerateFiles(root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Concurrent_identical_requests_share_one_teacher_call()
    {
        server.Respond = c => new FakeResponse.Slow(TimeSpan.FromMilliseconds(150), new FakeResponse.Ok("echo: " + c.Prompt));
        using var teacher = Endpoint();
        var cached = new CachedTeacher(teacher, new ResponseCache(root));

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => cached.GenerateAsync(Ask("same"), default)));

        Assert.Single(server.Calls);
        Assert.Equal(1, cached.TeacherCalls);
        Assert.All(replies, r => Assert.Equal("echo: same", r.Content));
        Assert.Equal(7, replies.Count(r => r.FromCache));
    }

    [Fact]
    public async Task Failures_are_not_cached()
    {
        server.Respond = c => c.Attempt == 1 ? new FakeResponse.Status(400, "{\"error\":{\"message\":\"no\"}}") : new FakeResponse.Ok("yes");
        using var teacher = Endpoint();
        var cached = new CachedTeacher(teacher, new ResponseCache(root));

        await Assert.ThrowsAsync<TeacherRequestException>(() => cached.GenerateAsync(Ask("flaky"), default));
        var reply = await cached.GenerateAsync(Ask("flaky"), default);

        Assert.Equal("yes", reply.Content);
        Assert.Equal(2, cached.TeacherCalls);
    }

    [Fact]
    public async Task A_new_revision_does_not_reuse_the_old_revisions_replies()
    {
        var cache = new ResponseCache(root);
        using (var v1 = Endpoint("r1")) await new CachedTeacher(v1, cache).GenerateAsync(Ask("q"), default);
        using var v2 = Endpoint("r2");
        var reply = await new CachedTeacher(v2, cache).GenerateAsync(Ask("q"), default);

        Assert.False(reply.FromCache);
        Assert.Equal(("r2", 2), (reply.Revision, server.Calls.Count));
    }
}
