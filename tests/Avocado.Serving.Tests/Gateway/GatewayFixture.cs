using Avocado.Cli.Serving;
using System.ClientModel;
using Avocado.Models;
using Avocado.Serving.Billing;
using Avocado.Serving.Gateway;
using Avocado.Serving.Gateway.Backends;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace Avocado.Serving.Tests.Gateway;

/// <summary>A real gateway on a loopback port: a tiny Qwen3-architecture checkpoint with the real Qwen3 tokenizer,
/// SQLite billing with one tenant, a priced model and credit.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string Model = "tiny";
    public const string AdminKey = "test-admin-key-0123456789";
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "avocado-gateway-" + Guid.NewGuid().ToString("N"));
    public string CheckpointDir => Path.Combine(Root, "model");
    public string DbPath => Path.Combine(Root, "billing.db");
    public IBillingStore Billing { get; private set; } = null!;
    public WebApplication App { get; private set; } = null!;
    public Uri BaseUrl { get; private set; } = null!;
    public string TenantId { get; private set; } = "";
    public string Key { get; private set; } = "";
    public ITokenizer Tokenizer { get; private set; } = null!;
    ModelRegistry models = null!;

    public static readonly Price TestPrice = Price.FromDollars(Model, 2m, 8m);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var tokenizer = BuiltInTokenizers.Load("qwen3");
        var config = TinyPresets.For("qwen3", tokenizer.VocabSize) with { EosTokenId = [.. tokenizer.EosIds], PadTokenId = tokenizer.PadId };
        ModelInit.Write(config, CheckpointDir, seed: 5, TorchSharp.torch.ScalarType.Float32);
        BuiltInTokenizers.WriteTo("qwen3", CheckpointDir);
        Tokenizer = TokenizerLoader.Load(CheckpointDir);

        Billing = await BillingStore.OpenAsync(DbPath);
        var tenant = await Billing.CreateTenantAsync("acme", "test");
        TenantId = tenant.Id;
        Key = (await Billing.CreateApiKeyAsync(new NewApiKey(TenantId, "main"), "test")).Secret;
        await Billing.SetPriceAsync(TestPrice, "test");
        await Billing.PostCreditAsync(TenantId, LedgerKind.Grant, Money.FromDollars(100), "test");

        var options = new GatewayOptions { AdminKey = AdminKey };
        await GatewayHost.StartBillingAsync(Billing, options);
        models = new ModelRegistry([LocalBackend.Load(Model, CheckpointDir, new Avocado.Inference.EngineOptions { MaxBatch = 4, MaxQueue = 16, MaxContext = 512 })]);
        App = GatewayHost.Build(options, Billing, models, ["http://127.0.0.1:0"]);
        await App.StartAsync();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address);
    }

    public ChatClient Chat(string? key = null, string model = Model) =>
        new(model, new ApiKeyCredential(key ?? Key), new OpenAIClientOptions { Endpoint = new Uri(BaseUrl, "/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

    public HttpClient Http(string? key = null)
    {
        var http = new HttpClient { BaseAddress = BaseUrl };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key ?? Key);
        return http;
    }

    /// <summary>Prompt tokens as the model sees them: the Qwen3 chat template rendered and tokenized.</summary>
    public int PromptTokens(params Avocado.Text.Chat.ChatMessage[] messages) =>
        Tokenizer.Encode(ChatFormats.For("qwen3").Render(messages, new ChatOptions { AddGenerationPrompt = true }), parseSpecial: true).Count;

    public async Task<(string Tenant, string Key)> NewTenantAsync(decimal credit, NewApiKey? key = null)
    {
        var t = await Billing.CreateTenantAsync("t-" + Guid.NewGuid().ToString("N")[..8], "test");
        var k = await Billing.CreateApiKeyAsync((key ?? new NewApiKey(t.Id, "k")) with { TenantId = t.Id }, "test");
        if (credit != 0) await Billing.PostCreditAsync(t.Id, LedgerKind.Grant, Money.FromDollars(credit), "test");
        return (t.Id, k.Secret);
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await models.DisposeAsync();
        await Billing.DisposeAsync();
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}
