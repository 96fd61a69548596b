using Avocado.Models;
using System.Diagnostics;
using System.Text.Json;

namespace Avocado.Cli.Tests;

/// <summary>The model verbs as a user runs them: a separate `avocado` process, its stdout and exit code.</summary>
public class CliTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "avocado.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Theory]
    [MemberData(nameof(TinyCheckpoints.Families), MemberType = typeof(TinyCheckpoints))]
    public void Init_info_logits_and_generate_agree_with_the_library(string family)
    {
        var dir = Path.Combine(TinyCheckpoints.NewTempDir(), family);
        var init = Run("model", "init", "--family", family, "--preset", "tiny", "--out", dir, "--seed", "4", "--vocab-size", "300");
        Assert.True(init.Code == 0, init.Err);

        var info = Run("model", "info", dir, "--json");
        using var infoJson = JsonDocument.Parse(info.Out);
        Assert.Equal(family, infoJson.RootElement.GetProperty("family").GetString());
        Assert.Equal(300, infoJson.RootElement.GetProperty("vocab_size").GetInt32());
        using var model = ModelLoader.Load(dir);
        Assert.Equal(model.parameters().Sum(p => p.numel()), infoJson.RootElement.GetProperty("parameters").GetInt64());

        var logitsFile = Path.Combine(dir, "logits.json");
        Assert.Equal(0, Run("model", "logits", dir, "--ids", "1,2,3", "--out", logitsFile).Code);
        using var logits = JsonDocument.Parse(File.ReadAllText(logitsFile));
        var rows = logits.RootElement.GetProperty("logits");
        Assert.Equal(3, rows.GetArrayLength());
        var expected = Tensors.Floats(model.Logits([1, 2, 3])[2]);
        var actual = rows[2].EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(expected, actual);

        var generated = Run("generate", dir, "--ids", "1,2,3", "--max-tokens", "5", "--ignore-eos");
        Assert.Equal(0, generated.Code);
        var ids = generated.Out.Trim().Split(',').Select(long.Parse).ToArray();
        // Greedy: each token is the argmax of a full forward pass over everything before it (no cache, no engine).
        var expectedIds = new List<long> { 1, 2, 3 };
        for (int step = 0; step < 5; step++)
        {
            using var all = model.Logits([.. expectedIds]);
            expectedIds.Add(all[-1].argmax().item<long>());
        }
        Assert.Equal(expectedIds.Skip(3), ids);

        var gguf = Run("model", "export-gguf", dir, "--out", Path.Combine(dir, "m.gguf"));
        Assert.True(gguf.Code == 0, gguf.Err);
        Assert.True(new FileInfo(Path.Combine(dir, "m.gguf")).Length > 1000);
    }

    [Theory]
    [InlineData("model init --family llama --out /tmp/x", 2, "--family must be one of")]
    [InlineData("model info /nonexistent-dir", 1, "config.json: not found")]
    [InlineData("generate /nonexistent-dir", 2, "give exactly one of --ids or --prompt")]
    [InlineData("model logits --ids 1", 2, "Required argument missing for command: 'logits'")]
    [InlineData("model init --family qwen3 --out /tmp/x --bogus 1", 2, "Unrecognized command or argument '--bogus'")]
    [InlineData("frobnicate", 2, "Unrecognized command or argument 'frobnicate'")]
    [InlineData("quickstart --no-serve=maybe", 2, "run './avocado quickstart --help' for usage")]
    public void Mistakes_get_one_clear_line_and_an_exit_code(string args, int code, string message)
    {
        var result = Run(args.Split(' '));
        Assert.Equal(code, result.Code);
        Assert.Contains(message, result.Err);
        Assert.DoesNotContain("   at ", result.Err); // no stack trace
    }
}
