using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Avocado.Serving.Tests.Gateway;

/// <summary>Every /v1 endpoint refuses through the same filter: same status, same OpenAI error body, whatever the endpoint.</summary>
public class AuthenticationTests(GatewayFixture f) : IClassFixture<GatewayFixture>
{
    static async Task<(HttpStatusCode Status, string Code, string Message)> Refusal(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = doc.RootElement.GetProperty("error");
        return (response.StatusCode, error.GetProperty("code").GetString()!, error.GetProperty("message").GetString()!);
    }

    [Theory]
    [InlineData(null, "You didn't provide an API key")]
    [InlineData("Bearer ", "You didn't provide an API key")]
    [InlineData("Basic dXNlcjpwYXNz", "You didn't provide an API key")]
    [InlineData("Bearer sk-not-a-real-key", "Incorrect API key provided")]
    public async Task Models_chat_and_completions_refuse_a_missing_or_wrong_key_alike(string? authorization, string message)
    {
        var client = new HttpClient { BaseAddress = f.BaseUrl };
        if (authorization is not null) client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        var body = new { model = GatewayFixture.Model, messages = new[] { new { role = "user", content = "hi" } }, prompt = "hi" };

        var answers = new[]
        {
            await Refusal(await client.GetAsync("/v1/models")),
            await Refusal(await client.PostAsJsonAsync("/v1/chat/completions", body)),
            await Refusal(await client.PostAsJsonAsync("/v1/completions", body)),
        };

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.Unauthorized, "invalid_api_key"), (a.Status, a.Code)));
        Assert.All(answers, a => Assert.StartsWith(message, a.Message));
        Assert.Single(answers.Select(a => a.Message).Distinct());
    }

    [Fact]
    public async Task A_valid_key_lists_only_the_models_it_may_use()
    {
        var response = await f.Http().GetAsync("/v1/models");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(doc.RootElement.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == GatewayFixture.Model);
    }
}
