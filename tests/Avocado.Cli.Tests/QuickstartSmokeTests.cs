using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Avocado.Serving.Billing;
using OpenAI.Chat;

namespace Avocado.Cli.Tests;

/// <summary><c>avocado quickstart --preset smoke</c> as a new user runs it: every stage, the report, then the student
/// served with a demo tenant and key, answering the official OpenAI .NET client with usage billed to the tenant.</summary>
public class QuickstartSmokeTests
{
    [Fact]
    public async Task Smoke_quickstart_distills_evaluates_and_serves_the_student_to_the_OpenAI_client()
    {
        var dir = Path.Combine(Path.GetTempPath(), "avocado-quickstart-" + Guid.NewGuid().ToString("N")[..8]);
        int port = FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "avocado.dll"), "quickstart", "--preset", "smoke", "--dir", dir, "--port", port.ToString() })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        // Under the lock: the process's error lines arrive on another thread (a StringBuilder read while it is
        // appended to throws).
        string Errors() { lock (stderr) return stderr.ToString(); }
        try
        {
            string? secret = null;
            var deadline = DateTime.UtcNow.AddMinutes(6);
            while (secret is null && DateTime.UtcNow < deadline)
            {
                if (p.HasExited) Assert.Fail("quickstart exited:\n" + Errors());
                lock (stdout) secret = Regex.Match(stdout.ToString(), @"Bearer (\S+)""") is { Success: true } m ? m.Groups[1].Value : null;
                await Task.Delay(200);
            }
            Assert.True(secret is not null, "no key printed in time:\n" + Errors());
            string output;
            lock (stdout) output = stdout.ToString();
            Assert.Contains("| student |", output);              // the eval table
            foreach (var f in new[] { "report.md", "report.json", "accuracy.png" }) Assert.True(File.Exists(Path.Combine(dir, "report", f)), f);

            var client = new ChatClient("avocado-student", new ApiKeyCredential(secret!), new OpenAI.OpenAIClientOptions { Endpoint = new Uri($"http://127.0.0.1:{port}/v1") });
            var completion = (await client.CompleteChatAsync([new UserChatMessage("Next number: 2, 5, 8, ? Number only.")],
                new ChatCompletionOptions { MaxOutputTokenCount = 8 })).Value;
            Assert.InRange(completion.Usage.OutputTokenCount, 1, 8);

            await using var billing = await BillingStore.OpenAsync(Path.Combine(dir, "avocado.db"));
            var demo = (await billing.ListTenantsAsync()).Single(t => t.Name == "demo");
            var usage = await billing.GetUsageAsync(completion.Id);
            Assert.NotNull(usage);
            Assert.Equal(demo.Id, usage!.TenantId);
            Assert.Equal(completion.Usage.InputTokenCount, usage.PromptTokens);
            Assert.Equal(completion.Usage.OutputTokenCount, usage.CompletionTokens);
            Assert.True(usage.Cost > 0);
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
