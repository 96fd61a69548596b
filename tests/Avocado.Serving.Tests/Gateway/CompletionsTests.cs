using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Avocado.Serving.Tests.Gateway;

/// <summary>/v1/completions, n, stop strings and streaming framing, checked on the raw wire format.</summary>
public class CompletionsTests(GatewayFixture f) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Text_completion_counts_the_raw_prompt_and_bills_it()
    {
        var response = await f.Http().PostAsJsonAsync("/v1/completions", new { model = GatewayFixture.Model, prompt = "Once upon a time", max_tokens = 6, temperature = 0 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        Assert.Equal("text_completion", root.GetProperty("object").GetString());
        var usage = root.GetProperty("usage");
        Assert.Equal(f.Tokenizer.Encode("Once upon a time", parseSpecial: false, addSpecialTokens: true).Count, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.InRange(usage.GetProperty("completion_tokens").GetInt32(), 1, 6);
        var billed = await f.Billing.GetUsageAsync(root.GetProperty("id").GetString()!);
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt32(), billed!.CompletionTokens);
    }

    [Fact]
    public async Task N_choices_are_all_returned_and_all_billed()
    {
        var response = await f.Http().PostAsJsonAsync("/v1/chat/completions", new
        {
            model = GatewayFixture.Model, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 4, n = 3, temperature = 1.0, seed = 9,
        });
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var choices = doc.RootElement.GetProperty("choices");
        Assert.Equal(3, choices.GetArrayLength());
        Assert.Equal([0, 1, 2], choices.EnumerateArray().Select(c => c.GetProperty("index").GetInt32()));
        var completion = doc.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        Assert.InRange(completion, 3, 12);
        Assert.Equal(completion, (await f.Billing.GetUsageAsync(doc.RootElement.GetProperty("id").GetString()!))!.CompletionTokens);
    }

    [Fact]
    public async Task A_stop_string_cuts_the_text_before_it()
    {
        object Body(string[]? stop) => new { model = GatewayFixture.Model, prompt = "The", max_tokens = 24, temperature = 0, stop };
        using var free = JsonDocument.Parse(await (await f.Http().PostAsJsonAsync("/v1/completions", Body(null))).Content.ReadAsStringAsync());
        var text = free.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
        Assert.True(text.Length >= 4, $"need some text to cut: '{text}'");
        var stop = text.Substring(text.Length / 2, 2);
        using var cut = JsonDocument.Parse(await (await f.Http().PostAsJsonAsync("/v1/completions", Body([stop]))).Content.ReadAsStringAsync());
        var choice = cut.RootElement.GetProperty("choices")[0];
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], choice.GetProperty("text").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Streams_are_framed_as_server_sent_events_with_one_usage_chunk()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                model = GatewayFixture.Model, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 5, stream = true,
                stream_options = new { include_usage = true },
            }),
        };
        var response = await f.Http().SendAsync(request);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e[6..]).RootElement).ToList();
        Assert.All(chunks[..^1], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("usage").ValueKind));
        var last = chunks[^1];
        Assert.Equal(0, last.GetProperty("choices").GetArrayLength());
        Assert.True(last.GetProperty("usage").GetProperty("completion_tokens").GetInt32() >= 1);
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Single(chunks, c => c.GetProperty("choices").GetArrayLength() > 0 && c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind == JsonValueKind.String);
    }
}
