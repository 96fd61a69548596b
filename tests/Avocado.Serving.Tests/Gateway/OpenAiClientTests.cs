#pragma warning disable OPENAI001 // Seed is "for evaluation"; the gateway honours it and the test relies on it
using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using Avocado.Serving.Billing;
using OpenAI.Chat;
using AvocadoMessage = Avocado.Text.Chat.ChatMessage;

namespace Avocado.Serving.Tests.Gateway;

/// <summary>The gateway driven by the official OpenAI .NET client over real HTTP on loopback.</summary>
public class OpenAiClientTests(GatewayFixture f) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Non_streaming_completion_reports_the_tokenizers_counts_and_bills_them()
    {
        var before = await f.Billing.GetBalanceAsync(f.TenantId);
        var result = await f.Chat().CompleteChatAsync([new UserChatMessage("What is 2 + 2?")],
            new ChatCompletionOptions { MaxOutputTokenCount = 7, Temperature = 0 });
        var c = result.Value;
        Assert.Equal(f.PromptTokens(new AvocadoMessage("user", "What is 2 + 2?")), c.Usage.InputTokenCount);
        Assert.InRange(c.Usage.OutputTokenCount, 1, 7);
        Assert.Equal(c.Usage.InputTokenCount + c.Usage.OutputTokenCount, c.Usage.TotalTokenCount);
        Assert.Equal(GatewayFixture.Model, c.Model);
        Assert.StartsWith("chatcmpl-", c.Id);
        var usage = await f.Billing.GetUsageAsync(c.Id);
        Assert.NotNull(usage);
        Assert.Equal(c.Usage.InputTokenCount, usage!.PromptTokens);
        Assert.Equal(c.Usage.OutputTokenCount, usage.CompletionTokens);
        Assert.Equal(GatewayFixture.TestPrice.CostOf(usage.PromptTokens, usage.CompletionTokens), usage.Cost);
        var after = await f.Billing.GetBalanceAsync(f.TenantId);
        Assert.True(after.Ledger <= before.Ledger - usage.Cost); // other tests may bill concurrently
    }

    [Fact]
    public async Task Streaming_delivers_text_and_a_final_usage_chunk()
    {
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in f.Chat().CompleteChatStreamingAsync([new UserChatMessage("Tell me a story")],
                           new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0.7f, Seed = 3 }))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }
        Assert.NotNull(usage);
        Assert.Equal(f.PromptTokens(new AvocadoMessage("user", "Tell me a story")), usage!.InputTokenCount);
        Assert.InRange(usage.OutputTokenCount, 1, 12);
        Assert.NotNull(finish);
        // Non-streamed and streamed runs with one seed give the same text: metering and streaming see the same tokens.
        var again = await f.Chat().CompleteChatAsync([new UserChatMessage("Tell me a story")],
            new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0.7f, Seed = 3 });
        Assert.Equal(again.Value.Content.Count == 0 ? "" : again.Value.Content[0].Text, text.ToString());
        Assert.Equal(again.Value.Usage.OutputTokenCount, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Logprobs_come_back_per_token()
    {
        var result = await f.Chat().CompleteChatAsync([new UserChatMessage("hi")],
            new ChatCompletionOptions { MaxOutputTokenCount = 4, IncludeLogProbabilities = true, TopLogProbabilityCount = 3, Temperature = 0 });
        var lps = result.Value.ContentTokenLogProbabilities;
        Assert.NotEmpty(lps);
        foreach (var lp in lps)
        {
            Assert.Equal(3, lp.TopLogProbabilities.Count);
            Assert.True(lp.LogProbability <= 0);
            Assert.Equal(lp.LogProbability, lp.TopLogProbabilities[0].LogProbability, 4); // greedy picks the best
        }
    }

    [Fact]
    public async Task Models_endpoint_lists_the_model_with_its_context()
    {
        var http = f.Http();
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/v1/models"));
        var model = doc.RootElement.GetProperty("data")[0];
        Assert.Equal(GatewayFixture.Model, model.GetProperty("id").GetString());
        Assert.Equal(512, model.GetProperty("max_model_len").GetInt32());
    }

    [Fact]
    public async Task Wrong_key_is_401_with_an_openai_error()
    {
        var e = await Assert.ThrowsAsync<ClientResultException>(() => f.Chat("avo-wrong").CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(401, e.Status);
        await AssertErrorBody(await f.Http("avo-wrong").PostAsync("/v1/chat/completions", Json(new { model = "tiny", messages = new[] { new { role = "user", content = "x" } } })), 401, "invalid_api_key");
        await AssertErrorBody(await new HttpClient { BaseAddress = f.BaseUrl }.PostAsync("/v1/chat/completions", Json(new { })), 401, "invalid_api_key");
    }

    [Fact]
    public async Task Revoked_key_is_401_and_a_key_limited_to_other_models_is_403()
    {
        var (_, limited) = await f.NewTenantAsync(1, new NewApiKey("", "k") { AllowedModels = ["other"] });
        var e = await Assert.ThrowsAsync<ClientResultException>(() => f.Chat(limited).CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(403, e.Status);
        var (tenant, key) = await f.NewTenantAsync(1);
        var keys = await f.Billing.ListApiKeysAsync(tenant);
        await f.Billing.RevokeApiKeyAsync(keys[0].Id, "test");
        Assert.Equal(401, (await Assert.ThrowsAsync<ClientResultException>(() => f.Chat(key).CompleteChatAsync([new UserChatMessage("x")]))).Status);
    }

    [Fact]
    public async Task A_key_revoked_right_after_a_request_is_refused_at_once_and_told_why()
    {
        // The gateway keeps keys it has just seen (ApiKeyCache); the reservation must still refuse a revoked one.
        var (tenant, key) = await f.NewTenantAsync(1);
        var body = new { model = GatewayFixture.Model, messages = new[] { new { role = "user", content = "x" } }, max_tokens = 2 };
        var first = await f.Http(key).PostAsync("/v1/chat/completions", Json(body));
        Assert.Equal(200, (int)first.StatusCode);
        await f.Billing.RevokeApiKeyAsync((await f.Billing.ListApiKeysAsync(tenant))[0].Id, "test");

        var refused = await f.Http(key).PostAsync("/v1/chat/completions", Json(body));
        var message = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString();
        Assert.Equal(401, (int)refused.StatusCode);
        Assert.Contains("revoked", message);
        Assert.Equal(1, (await f.Billing.QueryUsageAsync(new UsageQuery { TenantId = tenant })).Sum(u => u.Requests));
        Assert.Equal(0, (await f.Billing.GetBalanceAsync(tenant)).Reserved);
    }

    [Fact]
    public async Task Unknown_model_is_404()
    {
        var e = await Assert.ThrowsAsync<ClientResultException>(() => f.Chat(model: "gpt-9").CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(404, e.Status);
        await AssertErrorBody(await f.Http().PostAsync("/v1/chat/completions", Json(new { model = "gpt-9", messages = new[] { new { role = "user", content = "x" } } })), 404, "model_not_found");
    }

    [Fact]
    public async Task Exhausted_budget_is_429_that_says_do_not_retry()
    {
        var (_, poor) = await f.NewTenantAsync(0.0000001m);
        var response = await f.Http(poor).PostAsync("/v1/chat/completions", Json(new { model = "tiny", messages = new[] { new { role = "user", content = "x" } }, max_tokens = 50 }));
        await AssertErrorBody(response, 429, "insufficient_quota");
        Assert.Equal("false", response.Headers.GetValues("x-should-retry").Single());
    }

    [Fact]
    public async Task Requests_per_minute_limit_is_429_with_rate_limit_headers()
    {
        var (_, key) = await f.NewTenantAsync(10, new NewApiKey("", "k") { RequestsPerMinute = 2 });
        var http = f.Http(key);
        object Body() => new { model = "tiny", messages = new[] { new { role = "user", content = "x" } }, max_tokens = 1 };
        var ok = await http.PostAsync("/v1/chat/completions", Json(Body()));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("2", ok.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal("1", ok.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", Json(Body()))).StatusCode);
        var limited = await http.PostAsync("/v1/chat/completions", Json(Body()));
        await AssertErrorBody(limited, 429, "rate_limit_exceeded");
        Assert.True(int.Parse(limited.Headers.GetValues("retry-after").Single()) >= 1);
        Assert.Equal("true", limited.Headers.GetValues("x-should-retry").Single());
        Assert.True(limited.Headers.Contains("x-request-id"));
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "{not json", "invalid_json" },
        { "[1,2]", "invalid_json" },
        { """{"model":"tiny"}""", "missing_required_parameter" },
        { """{"model":"tiny","messages":[]}""", "empty_array" },
        { """{"model":"tiny","messages":"hi"}""", "invalid_type" },
        { """{"model":7,"messages":[{"role":"user","content":"x"}]}""", "invalid_type" },
        { """{"model":"tiny","messages":[{"role":"wizard","content":"x"}]}""", "invalid_value" },
        { """{"model":"tiny","messages":[{"role":"user"}]}""", "missing_required_parameter" },
        { """{"model":"tiny","messages":[{"role":"user","content":"x"}],"max_tokens":100000000}""", "context_length_exceeded" },
        { """{"model":"tiny","messages":[{"role":"user","content":"x"}],"max_tokens":-5}""", "invalid_value" },
        { """{"model":"tiny","messages":[{"role":"user","content":"x"}],"temperature":"hot"}""", "invalid_type" },
        { """{"model":"tiny","messages":[{"role":"user","content":"x"}],"top_logprobs":5}""", "invalid_value" },
        { """{"model":"tiny","messages":[{"role":"user","content":"x"}],"n":1000}""", "invalid_value" },
        { """{"model":"tiny","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", "unsupported_content" },
        { """{"model":"tiny","messages":[{"role":"assistant","content":"a"},{"role":"assistant","content":"b"}],"stream_options":{"include_usage":true}}""", "invalid_value" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_a_4xx_with_a_clear_message(string body, string code)
    {
        var response = await f.Http().PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertErrorBody(response, 400, code);
    }

    [Fact]
    public async Task Invalid_utf8_and_huge_bodies_are_4xx()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"model":"tiny","messages":[{"role":"user","content":"X"}]}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        await AssertErrorBody(await f.Http().PostAsync("/v1/chat/completions", new ByteArrayContent(bytes)), 400, "invalid_json");
        var huge = "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', 5 << 20) + "\"}]}";
        await AssertErrorBody(await f.Http().PostAsync("/v1/chat/completions", new StringContent(huge)), 413, "request_too_large");
    }

    static StringContent Json(object o) => new(JsonSerializer.Serialize(o), Encoding.UTF8, "application/json");

    static async Task AssertErrorBody(HttpResponseMessage response, int status, string code)
    {
        Assert.Equal(status, (int)response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = doc.RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.True(response.Headers.Contains("x-request-id"));
    }
}
