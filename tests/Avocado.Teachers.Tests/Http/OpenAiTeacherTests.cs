using System.Collections.Concurrent;
using Avocado.Teachers.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using Avocado.Text.Chat;

namespace Avocado.Teachers.Tests.Http;

/// <summary>The endpoint teacher against a real HTTP server on loopback that injects faults.</summary>
public sealed class OpenAiTeacherTests : IAsyncLifetime
{
    // Virtual time: it moves only while a call waits (Run), so delays, timeouts and breaker cool-downs are exact and
    // cost no wall-clock time.
    readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    readonly ConcurrentQueue<TeacherRetry> retries = new();
    FakeOpenAiServer server = null!;

    public async Task InitializeAsync() => server = await FakeOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await server.DisposeAsync();

    OpenAiTeacher Teacher(Func<OpenAiTeacherOptions, OpenAiTeacherOptions>? configure = null, Random? random = null)
    {
        var options = new OpenAiTeacherOptions
        {
            Name = "fake-qwen3",
            Family = "qwen3",
            Endpoint = server.Endpoint,
            Model = "qwen3-test",
            Revision = "r1",
            ApiKey = "sk-test",
            RequestTimeout = TimeSpan.FromMinutes(10),   // only the tests of timeouts shorten it
            BaseDelay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromSeconds(1),
            MaxAttempts = 4,
            BreakerThreshold = 50,
            BreakDuration = TimeSpan.FromSeconds(10),
            OnRetry = retries.Enqueue,
        };
        return new OpenAiTeacher(configure?.Invoke(options) ?? options, time: time, random: random ?? new Random(1));
    }

    /// <summary>Drives a call to completion: while it has not finished, the virtual clock moves 500 ms per real
    /// millisecond — its timers (backoff, retry-after, request timeout) fire in virtual time, its HTTP on loopback in real time.</summary>
    async Task<T> Run<T>(Task<T> call)
    {
        while (!call.IsCompleted)
        {
            await Task.WhenAny(call, Task.Delay(1));
            if (!call.IsCompleted) time.Advance(TimeSpan.FromMilliseconds(500));
        }
        return await call;
    }

    static TeacherRequest Ask(string prompt) =>
        new() { Messages = [ChatMessage.User(prompt)], Sampling = new TeacherSampling { Temperature = 0.7, MaxTokens = 32 } };

    [Fact]
    public async Task Server_errors_are_retried_until_a_reply()
    {
        server.Respond = c => c.Attempt <= 2 ? new FakeResponse.Status(c.Attempt == 1 ? 500 : 503) : new FakeResponse.Ok("echo: " + c.Prompt);
        using var teacher = Teacher();

        var reply = await Run(teacher.GenerateAsync(Ask("hello"), default));

        Assert.Equal("echo: hello", reply.Content);
        Assert.Equal(3, server.Calls.Count);
        Assert.Equal(["http_500", "http_503"], retries.Select(r => r.Failure.Kind));
        var stats = teacher.Stats;
        Assert.Equal((1, 1, 0, 3, 2), (stats.Requests, stats.Succeeded, stats.Failed, stats.Attempts, stats.Retries));
        Assert.Equal(BreakerState.Closed, stats.Breaker);
    }

    [Theory]
    [InlineData("retry-after", "2", 2000)]
    [InlineData("retry-after", "1.5", 1500)]
    [InlineData("retry-after-ms", "1200", 1200)]
    public async Task Rate_limits_wait_at_least_as_long_as_retry_after_asks(string header, string value, int expectedMs)
    {
        server.Respond = c => c.Attempt == 1
            ? new FakeResponse.Status(429) { Headers = new Dictionary<string, string> { [header] = value } }
            : new FakeResponse.Ok("ok");
        // Jitter 0: without the header the retry would not wait at all.
        using var teacher = Teacher(random: new FixedRandom(0));
        var started = time.GetUtcNow();

        var reply = await Run(teacher.GenerateAsync(Ask("limited"), default));

        Assert.Equal("ok", reply.Content);
        var retry = Assert.Single(retries);
        Assert.Equal("http_429", retry.Failure.Kind);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), retry.RetryAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), retry.Delay);
        Assert.True(time.GetUtcNow() - started >= TimeSpan.FromMilliseconds(expectedMs), "the retry came before retry-after");
    }

    [Fact]
    public async Task Backoff_grows_exponentially_with_full_jitter_up_to_the_cap()
    {
        server.Respond = c => c.Attempt <= 5 ? new FakeResponse.Status(502) : new FakeResponse.Ok("ok");
        using var teacher = Teacher(o => o with { MaxAttempts = 6, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(500) },
            random: new FixedRandom(0.5));

        await Run(teacher.GenerateAsync(Ask("backoff"), default));

        // Half of min(500, 100·2^(n−1)) ms.
        Assert.Equal([50, 100, 200, 250, 250], retries.Select(r => (int)Math.Round(r.Delay.TotalMilliseconds)));
    }

    [Fact]
    public async Task A_slow_response_times_out_and_is_retried()
    {
        server.Respond = c => c.Attempt == 1 ? new FakeResponse.Slow(TimeSpan.FromSeconds(30), new FakeResponse.Ok("late")) : new FakeResponse.Ok("on time");
        using var teacher = Teacher(o => o with { RequestTimeout = TimeSpan.FromSeconds(50) });

        var reply = await Run(teacher.GenerateAsync(Ask("slow"), default));

        Assert.Equal("on time", reply.Content);
        Assert.Equal("timeout", Assert.Single(retries).Failure.Kind);
        Assert.DoesNotContain(server.Answered, c => c.Attempt == 1);
    }

    [Theory]
    [InlineData("drop")]
    [InlineData("drop-mid-body")]
    [InlineData("garbage")]
    public async Task Broken_responses_are_retried(string fault)
    {
        server.Respond = c => c.Attempt > 1 ? new FakeResponse.Ok("whole") : fault switch
        {
            "drop" => new FakeResponse.Drop(),
            "drop-mid-body" => new FakeResponse.DropMidBody(),
            _ => new FakeResponse.Garbage(),
        };
        using var teacher = Teacher();

        var reply = await Run(teacher.GenerateAsync(Ask("fragile"), default));

        Assert.Equal("whole", reply.Content);
        Assert.Equal(2, server.Calls.Count);
        Assert.Equal(fault == "garbage" ? "bad_response" : "connection", Assert.Single(retries).Failure.Kind);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    public async Task Client_errors_are_not_retried_and_do_not_trip_the_breaker(int status)
    {
        server.Respond = _ => new FakeResponse.Status(status, "{\"error\":{\"message\":\"bad field\"}}");
        using var teacher = Teacher(o => o with { BreakerThreshold = 1 });

        var e = await Assert.ThrowsAsync<TeacherRequestException>(() => Run(teacher.GenerateAsync(Ask("bad"), default)));

        Assert.Equal(status, e.Status);
        Assert.Contains("bad field", e.Message);
        Assert.Single(server.Calls);
        Assert.Empty(retries);
        Assert.Equal(BreakerState.Closed, teacher.Stats.Breaker);
        Assert.Equal(1, teacher.Stats.Failed);
    }

    [Fact]
    public async Task A_teacher_that_keeps_failing_opens_the_breaker_is_reported_and_recovers_through_one_probe()
    {
        var healthy = false;
        server.Respond = c => healthy ? new FakeResponse.Slow(TimeSpan.FromMilliseconds(100), new FakeResponse.Ok("back")) : new FakeResponse.Status(503, "overloaded");
        using var teacher = Teacher(o => o with { MaxAttempts = 2, BreakerThreshold = 3, BreakDuration = TimeSpan.FromSeconds(50) });

        // Two failed attempts, then a third that opens the circuit; its retry is refused.
        var first = await Assert.ThrowsAsync<TeacherUnavailableException>(() => Run(teacher.GenerateAsync(Ask("a"), default)));
        Assert.Equal(2, first.Attempts);
        var second = await Assert.ThrowsAsync<TeacherUnavailableException>(() => Run(teacher.GenerateAsync(Ask("b"), default)));
        Assert.Contains("circuit is open", second.Message);
        Assert.Equal(3, server.Calls.Count);

        // Open: refused without a call, reporting the last errors and when it will probe again.
        var refused = await Assert.ThrowsAsync<TeacherUnavailableException>(() => Run(teacher.GenerateAsync(Ask("c"), default)));
        Assert.Equal(3, server.Calls.Count);
        Assert.Equal(0, refused.Attempts);
        Assert.NotNull(refused.RetryAt);
        Assert.Contains(refused.LastErrors, f => f is { Kind: "http_503", Status: 503 } && f.Message.Contains("overloaded"));
        Assert.Contains("http_503", refused.Message);
        Assert.Equal(BreakerState.Open, refused.Stats!.Breaker);
        Assert.Equal(1, refused.Stats.BreakerOpenings);
        Assert.Equal(3, refused.Stats.FailuresByKind["http_503"]);

        // After the cool-down exactly one probe goes through; requests meanwhile are refused; its success closes the circuit.
        healthy = true;
        time.SetUtcNow(refused.RetryAt!.Value);
        var attempts = Enumerable.Range(0, 3).Select(i => teacher.GenerateAsync(Ask($"probe {i}"), default)).ToArray();
        var outcomes = await Run(Task.WhenAll(attempts.Select(async t => { try { return (await t).Content; } catch (TeacherUnavailableException) { return "refused"; } })));
        Assert.Equal(["back", "refused", "refused"], outcomes.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(4, server.Calls.Count);
        Assert.Equal(BreakerState.Closed, teacher.Stats.Breaker);

        Assert.Equal("back", (await Run(teacher.GenerateAsync(Ask("d"), default))).Content);
        var stats = teacher.Stats;
        Assert.Equal((7L, 2L, 2L, 3L), (stats.Requests, stats.Succeeded, stats.Failed, stats.Rejected));
    }

    [Fact]
    public async Task At_most_MaxConcurrency_requests_are_in_flight()
    {
        server.Respond = c => new FakeResponse.Slow(TimeSpan.FromMilliseconds(60), new FakeResponse.Ok("echo: " + c.Prompt));
        using var teacher = Teacher(o => o with { MaxConcurrency = 2 });

        var replies = await Run(Task.WhenAll(Enumerable.Range(0, 8).Select(i => teacher.GenerateAsync(Ask($"p{i}"), default))));

        Assert.Equal(8, replies.Length);
        Assert.Equal(2, server.MaxInFlight);
    }

    [Fact]
    public async Task Under_mixed_faults_every_request_gets_exactly_its_own_reply()
    {
        // Per prompt, the first attempts fail in a prompt-dependent way; the server answers each prompt once.
        server.Respond = c => (c.Attempt, c.Prompt.Length % 4) switch
        {
            (1, 0) => new FakeResponse.Status(500),
            (1, 1) => new FakeResponse.Drop(),
            (1, 2) => new FakeResponse.Status(429) { Headers = new Dictionary<string, string> { ["retry-after-ms"] = "300" } },
            (1, 3) => new FakeResponse.DropMidBody(),
            (2, _) when c.Prompt.Length % 6 == 0 => new FakeResponse.Slow(TimeSpan.FromSeconds(30), new FakeResponse.Ok("late")),
            _ => new FakeResponse.Ok("echo: " + c.Prompt),
        };
        using var teacher = Teacher(o => o with { MaxConcurrency = 4, MaxAttempts = 5, RequestTimeout = TimeSpan.FromSeconds(100) });
        var prompts = Enumerable.Range(0, 24).Select(i => "question " + new string('?', i)).ToArray();

        var replies = await Run(Task.WhenAll(prompts.Select(p => teacher.GenerateAsync(Ask(p), default))));

        Assert.Equal(prompts.Select(p => "echo: " + p), replies.Select(r => r.Content));
        Assert.Equal(prompts.Length, server.Answered.Count(c => c.Attempt > 1));
        Assert.Equal(prompts.Order(), server.Answered.Select(c => c.Prompt).Order());
        Assert.Equal(prompts.Length, teacher.Stats.Succeeded);
    }

    [Fact]
    public async Task The_request_carries_sampling_seed_logprobs_effort_and_the_key()
    {
        using var teacher = Teacher(o => o with { Family = "gpt-oss" });
        var request = new TeacherRequest
        {
            Messages = [ChatMessage.System("be brief"), ChatMessage.User("q")],
            Sampling = new TeacherSampling { Temperature = 0.6, TopP = 0.95, TopK = 20, MaxTokens = 77, Seed = 100 },
            SampleIndex = 3,
            TopLogprobs = 5,
            ReasoningEffort = ReasoningEffort.High,
            EnableThinking = false,
        };

        await Run(teacher.GenerateAsync(request, default));

        var body = Assert.Single(server.Calls).Body;
        Assert.Equal("qwen3-test", body.GetProperty("model").GetString());
        Assert.Equal(["system", "user"], body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(77, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal(0.6, body.GetProperty("temperature").GetDouble());
        Assert.Equal(0.95, body.GetProperty("top_p").GetDouble());
        Assert.Equal(20, body.GetProperty("top_k").GetInt32());
        Assert.Equal(103, body.GetProperty("seed").GetInt64());
        Assert.True(body.GetProperty("logprobs").GetBoolean());
        Assert.Equal(5, body.GetProperty("top_logprobs").GetInt32());
        Assert.Equal("high", body.GetProperty("reasoning_effort").GetString());
        Assert.False(body.GetProperty("chat_template_kwargs").GetProperty("enable_thinking").GetBoolean());
        Assert.False(body.GetProperty("stream").GetBoolean());
        Assert.Equal("Bearer sk-test", server.Calls.Single().Authorization);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_a_failure()
    {
        server.Respond = c => new FakeResponse.Slow(TimeSpan.FromSeconds(5), new FakeResponse.Ok("x"));
        using var teacher = Teacher(o => o with { BreakerThreshold = 1 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(teacher.GenerateAsync(Ask("cancel me"), cts.Token)));

        Assert.Empty(retries);
        Assert.Equal((1L, 0L, BreakerState.Closed), (teacher.Stats.Cancelled, teacher.Stats.FailedAttempts, teacher.Stats.Breaker));
    }
}
