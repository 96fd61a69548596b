using Avocado.Common.Progress;
using Avocado.Cli.Serving;
using Avocado.Eval;
using Avocado.Data.Prompts;
using Avocado.Cli.Quickstart;
using Avocado.Serving.Billing;
using Avocado.Inference;
using Avocado.Serving.Gateway;
using Avocado.Serving.Gateway.Backends;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Avocado.Cli.Commands;

/// <summary>
/// <c>avocado quickstart [--preset default|smoke] [--dir DIR] [--no-serve] [--port N] [--db PATH]</c>: the main job
/// end to end — curriculum, three specialist teachers, traces, one distilled student, evaluation, then the student
/// served through the metered API with a demo tenant and key. Every stage is cached; Ctrl-C and re-run resumes.
/// </summary>
public static class QuickstartCommand
{
    public static async Task<int> RunAsync(CommandArgs a)
    {
        var preset = QuickstartPreset.ByName(a.Option("preset") ?? "default") with { Baselines = a.Flag("baselines") };
        var dir = Path.GetFullPath(a.Option("dir") ?? Path.Combine(".avocado", "quickstart", preset.Name));
        var noServe = a.Flag("no-serve");
        var port = a.Int("port") ?? 8080;
        var db = a.Option("db") ?? Path.Combine(dir, "avocado.db");

        using var ctrlC = CtrlC.Listen("[quickstart] interrupted: finishing the current step; run the same command again to resume");
        long started = TimeProvider.System.GetTimestamp();
        try
        {
            var result = new QuickstartPipeline(preset, dir, Console.Error).Run(ctrlC.Token);
            var report = await EvaluateAsync(result, preset, ctrlC.Token);
            Console.WriteLine(EvalMarkdown.Format(report));
            Console.WriteLine($"report: {Path.Combine(dir, "report")}/report.md, report.json, accuracy.png; student: {result.StudentDir} ({ProgressText.Duration(TimeProvider.System.GetElapsedTime(started))})");
            if (noServe) return 0;
            return await ServeAsync(result.StudentDir, db, port, ctrlC.Token);
        }
        catch (OperationCanceledException) when (ctrlC.Pressed)
        {
            Console.Error.WriteLine("[quickstart] stopped; run the same command again to continue where it stopped");
            return CtrlC.ExitCode;
        }
    }

    /// <summary>Every teacher, the student (and the single-teacher students) on the held-out questions; cached by the
    /// models' weights.</summary>
    static async Task<EvalReport> EvaluateAsync(QuickstartResult result, QuickstartPreset preset, CancellationToken cancel)
    {
        var outDir = Path.Combine(result.WorkDir, "report");
        var key = StageCache.Key("eval", StageCache.FileHash(result.HeldOutBench),
            string.Join(",", result.Models.Select(m => m.Name + ":" + StageCache.FileHash(Path.Combine(m.Dir, "model.safetensors")))));
        if (StageCache.IsDone(outDir, key)) return EvalReportWriter.Read(Path.Combine(outDir, EvalReportWriter.JsonFile));
        Console.Error.WriteLine($"[eval] {result.Models.Count} models on {preset.HeldOutPerSkill} held-out questions per skill");
        using var models = await EvalModelLoader.LoadAsync([.. result.Models.Select(m => new EvalModelSpec { Name = m.Name, CheckpointDir = m.Dir })], ct: cancel);
        var report = await EvalRunner.RunAsync(models.Models, PromptReader.ReadFile(result.HeldOutBench),
            new EvalOptions { MaxTokens = preset.MaxNewTokens, Concurrency = 16, Progress = Console.Error }, cancel);
        EvalReportWriter.Write(report, outDir);
        if (report.FailedAnswers.FirstOrDefault() is { } failed)
            // Not cached: a rerun asks again rather than keep a score with failures counted as wrong.
            Console.Error.WriteLine($"[eval] warning: {report.FailedAnswers.Count()} requests failed and count as wrong answers (first: {failed.Error}); report/answers.jsonl has every error");
        else StageCache.MarkDone(outDir, key);
        return report;
    }

    static async Task<int> ServeAsync(string studentDir, string db, int port, CancellationToken stop)
    {
        const string model = "avocado-student";
        await using var billing = await BillingStore.OpenAsync(db);
        var tenant = (await billing.ListTenantsAsync()).FirstOrDefault(t => t.Name == "demo") ?? await billing.CreateTenantAsync("demo", "quickstart");
        await billing.SetPriceAsync(Price.FromDollars(model, 0.10m, 0.40m), "quickstart");
        if ((await billing.GetBalanceAsync(tenant.Id)).Ledger <= 0)
            await billing.PostCreditAsync(tenant.Id, LedgerKind.Grant, Money.FromDollars(5m), "quickstart", "demo credit");
        var key = await billing.CreateApiKeyAsync(new NewApiKey(tenant.Id, "quickstart demo"), "quickstart");
        var options = new GatewayOptions { InstanceId = $"quickstart|{port}" };
        options.Validate();
        await GatewayHost.StartBillingAsync(billing, options);
        await using var models = new ModelRegistry([LocalBackend.Load(model, studentDir, new EngineOptions { MaxBatch = 8, MaxContext = 1024 })]);
        var url = $"http://127.0.0.1:{port}";
        var app = GatewayHost.Build(options, billing, models, [url], logLevel: LogLevel.Warning);
        await app.StartAsync();
        Console.WriteLine($$"""

            The student is served at {{url}}/v1 as "{{model}}" (tenant "demo", $5 of credit, metered per token). Try:

              curl {{url}}/v1/chat/completions -H "Authorization: Bearer {{key.Secret}}" -H "Content-Type: application/json" \
                -d '{"model": "{{model}}", "messages": [{"role": "user", "content": "Tom has 12 apples, buys 7, gives away 5. How many now? Number only."}]}'

            or with the official OpenAI .NET client:

              var client = new OpenAI.Chat.ChatClient("{{model}}", new System.ClientModel.ApiKeyCredential("{{key.Secret}}"),
                  new OpenAI.OpenAIClientOptions { Endpoint = new Uri("{{url}}/v1") });
              Console.WriteLine((await client.CompleteChatAsync("小明有12个苹果，又买了7个，送出5个。现在有几个？只答数字。")).Value.Content[0].Text);

            Usage: ./avocado usage --tenant {{tenant.Id}} --db {{db}}     (Ctrl-C stops the server; the key is shown only once)
            """);
        try { await app.WaitForShutdownAsync(stop); } catch (OperationCanceledException) { }
        await app.StopAsync();
        return 0;
    }
}
