using System.ClientModel;
using System.Text;
using Avocado.Serving.Billing;
using Avocado.Serving.Gateway;
using Avocado.Serving.Gateway.Backends;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace Avocado.Serving.Tests.Gateway;

/// <summary>A second gateway proxies the first as an OpenAI-compatible upstream (as it would vLLM, Ollama or a
/// llama.cpp server) and meters the same tokens the upstream reports.</summary>
public class UpstreamTests(GatewayFixture f) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Proxied_requests_are_metered_with_the_upstreams_counts()
    {
        var root = Path.Combine(f.Root, "edge");
        Directory.CreateDirectory(root);
        await using var billing = await BillingStore.OpenAsync(Path.Combine(root, "edge.db"));
        var tenant = await billing.CreateTenantAsync("edge-customer", "test");
        var key = (await billing.CreateApiKeyAsync(new NewApiKey(tenant.Id, "k"), "test")).Secret;
        await billing.SetPriceAsync(Price.FromDollars("proxied", 1m, 3m), "test");
        await billing.PostCreditAsync(tenant.Id, LedgerKind.Grant, Money.FromDollars(5), "test");
        var options = new GatewayOptions();
        await GatewayHost.StartBillingAsync(billing, options);
        var upstream = UpstreamBackend.Create("proxied", new Uri(f.BaseUrl, "/v1").ToString() + "#" + GatewayFixture.Model, new HttpClient(), f.Key);
        var models = new ModelRegistry([upstream]);
        var app = GatewayHost.Build(options, billing, models, ["http://127.0.0.1:0"]);
        await app.StartAsync();
        try
        {
            var url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var chat = new ChatClient("proxied", new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(url, "/v1") });

            var direct = await f.Chat().CompleteChatAsync([new UserChatMessage("ping")], new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0 });
            var proxied = await chat.CompleteChatAsync([new UserChatMessage("ping")], new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0 });
            Assert.Equal(direct.Value.Content[0].Text, proxied.Value.Content[0].Text);
            Assert.Equal(direct.Value.Usage.InputTokenCount, proxied.Value.Usage.InputTokenCount);
            Assert.Equal(direct.Value.Usage.OutputTokenCount, proxied.Value.Usage.OutputTokenCount);
            var usage = (await billing.GetUsageAsync(proxied.Value.Id))!;
            Assert.Equal(proxied.Value.Usage.InputTokenCount, usage.PromptTokens);
            Assert.Equal(proxied.Value.Usage.OutputTokenCount, usage.CompletionTokens);

            var streamed = new StringBuilder();
            ChatTokenUsage? streamedUsage = null;
            await foreach (var u in chat.CompleteChatStreamingAsync([new UserChatMessage("ping")], new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0 }))
            {
                foreach (var p in u.ContentUpdate) streamed.Append(p.Text);
                streamedUsage ??= u.Usage;
            }
            Assert.Equal(direct.Value.Content[0].Text, streamed.ToString());
            Assert.Equal(direct.Value.Usage.OutputTokenCount, streamedUsage!.OutputTokenCount);
            Assert.Equal(0, (await billing.GetBalanceAsync(tenant.Id)).Reserved);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            await models.DisposeAsync();
        }
    }
}
