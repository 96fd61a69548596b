using Avocado.Teachers;
using Avocado.Cli.Serving;
using Avocado.Serving.Billing;
using Avocado.Serving.Gateway;
using Avocado.Serving.Gateway.Backends;
using Avocado.Text.Chat;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Avocado.Serving.Tests.Gateway;

/// <summary>The same checkpoint as an in-process teacher and behind the real Avocado gateway (an OpenAI-compatible
/// server, as vLLM would be): the endpoint teacher's request is accepted and both give the same parsed reply.</summary>
[Collection(TinyQwen3Collection.Name)]
public sealed class GatewayParityTests(TinyQwen3Checkpoint checkpoint)
{
    [Fact]
    public async Task In_process_and_endpoint_teachers_agree_on_the_same_checkpoint()
    {
        var root = Path.Combine(Path.GetTempPath(), "avocado-teacher-gateway-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        await using var billing = await BillingStore.OpenAsync(Path.Combine(root, "billing.db"));
        var tenant = await billing.CreateTenantAsync("distill", "test");
        var key = (await billing.CreateApiKeyAsync(new NewApiKey(tenant.Id, "teacher"), "test")).Secret;
        await billing.SetPriceAsync(Price.FromDollars("tiny", 1m, 1m), "test");
        await billing.PostCreditAsync(tenant.Id, LedgerKind.Grant, Money.FromDollars(10), "test");
        var options = new GatewayOptions();
        await GatewayHost.StartBillingAsync(billing, options);
        await using var models = new ModelRegistry([LocalBackend.Load("tiny", checkpoint.Dir)]);
        var app = GatewayHost.Build(options, billing, models, ["http://127.0.0.1:0"]);
        await app.StartAsync();
        try
        {
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var endpoint = new OpenAiTeacher(new OpenAiTeacherOptions
            {
                Name = "tiny-served", Family = "qwen3", Endpoint = new Uri(url.TrimEnd('/') + "/v1"), Model = "tiny", ApiKey = key, MaxAttempts = 1,
            });
            using var inProcess = checkpoint.Teacher();

            foreach (var sampling in new[]
                     {
                         new TeacherSampling { Temperature = 0, MaxTokens = 10 },
                         new TeacherSampling { Temperature = 0.8, TopP = 0.9, TopK = 50, MaxTokens = 10, Seed = 11 },
                     })
            {
                var request = new TeacherRequest
                {
                    Messages = [ChatMessage.System("Answer briefly."), ChatMessage.User("What is 2 + 2? ¿Qué?")],
                    Sampling = sampling,
                    SampleIndex = 1,
                };
                var served = await endpoint.GenerateAsync(request, default);
                var local = await inProcess.GenerateAsync(request, default);

                Assert.NotEqual("", local.Text);
                Assert.Equal(local.Content, served.Content);
                Assert.Equal(local.Reasoning, served.Reasoning);
                Assert.Equal(local.FinishReason, served.FinishReason);
                Assert.Equal(local.PromptTokens, served.PromptTokens);
                Assert.Equal(local.CompletionTokens, served.CompletionTokens);
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
