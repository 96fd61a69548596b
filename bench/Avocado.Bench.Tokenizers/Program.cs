// Encode throughput of the Avocado tokenizers against the reference implementations, measured in the same run on
// the same text: the test corpus (tests/Avocado.Text.Tests/Data/corpus) repeated to about --mb megabytes.
// Every implementation first encodes the whole text list for at least --seconds as a warm-up (at least once), then
// repeatedly for at least --seconds more, measured;
// MB/s counts UTF-8 bytes of input. Single-threaded everywhere (node is). Needs scripts/fetch-tokenizers.
// Usage: dotnet run -c Release --project bench/Avocado.Bench.Tokenizers -- [--mb 4] [--seconds 3] [--only qwen3,gemma3,o200k_harmony]
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avocado.Text.Tokenizers;

double targetMb = 4, seconds = 3;
string[] only = [.. BuiltInTokenizers.Names];
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--mb": targetMb = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--seconds": seconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--only": only = args[++i].Split(','); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

string root = RepositoryRoot();
var corpus = LoadCorpus(Path.Combine(root, "tests", "Avocado.Text.Tests", "Data", "corpus"));
long corpusBytes = corpus.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
int repeat = Math.Max(1, (int)Math.Ceiling(targetMb * 1e6 / corpusBytes));
var texts = Enumerable.Repeat(corpus, repeat).SelectMany(x => x).ToList();
long totalBytes = corpusBytes * repeat;

Console.WriteLine($"# Tokenizer encode throughput — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, node {NodeVersion()}");
Console.WriteLine($"corpus: {corpus.Count} texts, {corpusBytes / 1e3:F1} kB, repeated {repeat}× = {texts.Count} texts, {totalBytes / 1e6:F2} MB; single thread; ≥{seconds} s per measurement after as long a warm-up");
Console.WriteLine();
Console.WriteLine("| tokenizer | Avocado MB/s | reference | reference MB/s | Avocado / reference |");
Console.WriteLine("|---|---:|---|---:|---:|");
var extra = new List<string>();
foreach (var name in only)
{
    var tokenizer = BuiltInTokenizers.Load(name);
    double ours = Measure(() => { foreach (var t in texts) tokenizer.Encode(t); }, totalBytes, seconds);
    var (rust, js) = name switch
    {
        "qwen3" => ("hf:qwen3", "tjs:qwen3"),
        "gemma3" => ("hf:gemma3", "tjs:gemma3"),
        _ => ("tiktoken:o200k_harmony", "gpt-tokenizer:o200k_harmony"),
    };
    foreach (var (impl, label) in new[] { (js, JsLabel(js)), (rust, RustLabel(rust)) })
    {
        var r = RunNode(root, impl, texts, seconds);
        double theirs = r["mbPerSecond"]!.GetValue<double>();
        Console.WriteLine($"| {name} | {ours:F2} | {label} | {theirs:F2} | {ours / theirs:F2}× |");
    }
    double withOffsets = Measure(() => { foreach (var t in texts) tokenizer.EncodeWithOffsets(t); }, totalBytes, seconds);
    extra.Add($"| {name} | EncodeWithOffsets | {withOffsets:F2} |");
    var ids = texts.Take(corpus.Count).Select(t => tokenizer.Encode(t)).ToList();
    long decodedBytes = corpusBytes;
    double decode = Measure(() => { foreach (var l in ids) tokenizer.Decode(l); }, decodedBytes, seconds);
    extra.Add($"| {name} | Decode (MB of text out) | {decode:F2} |");
    if (name == BuiltInTokenizers.Qwen3)
    {
        // Microsoft.ML.Tokenizers' BpeTokenizer on Qwen3's vocabulary and merges (byte-level, Qwen's regex through .NET
        // Regex, the added tokens as special tokens; it has no NFC normalizer): speed and agreement.
        var ml = MlQwen3(BuiltInTokenizers.SourceDirectory(name));
        double mlSpeed = Measure(() => { foreach (var t in texts) ml.EncodeToIds(t); }, totalBytes, seconds);
        int differ = corpus.Count(t => !ml.EncodeToIds(t).SequenceEqual(tokenizer.Encode(t)));
        extra.Add($"| {name} | Microsoft.ML.Tokenizers BpeTokenizer (ByteLevel, Qwen regex) | {mlSpeed:F2} (ids differ from HF tokenizers on {differ} of {corpus.Count} corpus texts) |");
    }
    if (name == BuiltInTokenizers.O200kHarmony)
    {
        // Microsoft.ML.Tokenizers' own o200k (TiktokenTokenizer, gpt-4o, plus the Harmony specials): speed and agreement.
        var specials = Enumerable.Range(O200kHarmony.RankCount, O200kHarmony.VocabSize - O200kHarmony.RankCount)
            .Select(id => (Token: O200kHarmony.SpecialTokenContent(id), Id: id))
            .Where(x => x.Token is not ("<|endoftext|>" or "<|endofprompt|>")) // gpt-4o's own
            .ToDictionary(x => x.Token, x => x.Id);
        var ml = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt-4o", specials);
        double mlSpeed = Measure(() => { foreach (var t in texts) ml.EncodeToIds(t); }, totalBytes, seconds);
        int differ = corpus.Count(t => !ml.EncodeToIds(t).SequenceEqual(tokenizer.Encode(t)));
        extra.Add($"| {name} | Microsoft.ML.Tokenizers TiktokenTokenizer (gpt-4o + Harmony specials) | {mlSpeed:F2} (ids differ from tiktoken on {differ} of {corpus.Count} corpus texts) |");
    }
}
Console.WriteLine();
Console.WriteLine("| tokenizer | other measurement | MB/s |");
Console.WriteLine("|---|---|---:|");
foreach (var line in extra) Console.WriteLine(line);
return 0;

static Microsoft.ML.Tokenizers.Tokenizer MlQwen3(string dir)
{
    using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "tokenizer.json")));
    var model = doc.RootElement.GetProperty("model");
    var vocab = model.GetProperty("vocab").EnumerateObject().Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32())).ToList();
    var merges = model.GetProperty("merges").EnumerateArray().Select(m => m[0].GetString() + " " + m[1].GetString()).ToList();
    var specials = doc.RootElement.GetProperty("added_tokens").EnumerateArray().ToDictionary(t => t.GetProperty("content").GetString()!, t => t.GetProperty("id").GetInt32());
    string pattern = doc.RootElement.GetProperty("pre_tokenizer").GetProperty("pretokenizers")[0].GetProperty("pattern").GetProperty("Regex").GetString()!;
    return Microsoft.ML.Tokenizers.BpeTokenizer.Create(new Microsoft.ML.Tokenizers.BpeOptions(vocab)
    {
        Merges = merges,
        ByteLevel = true,
        SpecialTokens = specials,
        PreTokenizer = new Microsoft.ML.Tokenizers.RegexPreTokenizer(new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.Compiled), specials),
    });
}

static string JsLabel(string impl) => impl.StartsWith("tjs:") ? "transformers.js (@lenml/tokenizers)" : "gpt-tokenizer";
static string RustLabel(string impl) => impl.StartsWith("hf:") ? "HF tokenizers (Rust, native)" : "tiktoken (Rust → WASM)";

static double Measure(Action pass, long bytesPerPass, double minSeconds)
{
    // Warm-up (JIT tiers, caches): at least one pass and as long as the measurement itself.
    var warm = Stopwatch.StartNew();
    do pass(); while (warm.Elapsed.TotalSeconds < minSeconds);
    var sw = Stopwatch.StartNew();
    int passes = 0;
    do { pass(); passes++; } while (sw.Elapsed.TotalSeconds < minSeconds);
    return bytesPerPass * (double)passes / sw.Elapsed.TotalSeconds / 1e6;
}

static JsonObject RunNode(string root, string impl, List<string> texts, double seconds)
{
    string request = Path.Combine(Path.GetTempPath(), $"avocado-tokbench-{Guid.NewGuid():N}.json");
    File.WriteAllText(request, new JsonObject
    {
        ["mode"] = "bench",
        ["minSeconds"] = seconds,
        ["texts"] = new JsonArray(texts.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
    }.ToJsonString());
    try
    {
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.Combine(root, "tests", "reference-tokenizers") };
        psi.ArgumentList.Add("--max-old-space-size=8192");
        psi.ArgumentList.Add("reference.mjs");
        psi.ArgumentList.Add(impl);
        psi.ArgumentList.Add(request);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"node {impl} failed: {stderr.Result}");
        return JsonNode.Parse(stdout.Result)!.AsObject();
    }
    finally { File.Delete(request); }
}

static string NodeVersion()
{
    try
    {
        var p = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
        string v = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return v;
    }
    catch (Exception) { return "(not found: run scripts/fetch-tokenizers)"; }
}

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Avocado.slnx"))) return dir.FullName;
    throw new InvalidOperationException("Avocado.slnx not found above " + AppContext.BaseDirectory);
}

static List<string> LoadCorpus(string dir)
{
    var strict = new UTF8Encoding(false, true);
    var texts = new List<string>();
    foreach (var path in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
    {
        string name = Path.GetFileName(path);
        if (name.StartsWith('.')) continue;
        string text = strict.GetString(File.ReadAllBytes(path));
        if (name.EndsWith(".json")) texts.AddRange(JsonNode.Parse(text)!.AsArray().Select(e => e!["text"]!.GetValue<string>()));
        else texts.Add(text);
    }
    return texts;
}
