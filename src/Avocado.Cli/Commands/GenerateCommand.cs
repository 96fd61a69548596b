using System.Text.Json;
using Avocado.Models;
using Avocado.Models.Generation;

namespace Avocado.Cli.Commands;

/// <summary><c>avocado generate DIR --ids …</c>: streams generated token ids as they are chosen.</summary>
public static class GenerateCommand
{
    public static int Run(string[] args)
    {
        var a = new CliArgs(args, new HashSet<string> { "json", "ignore-eos" });
        var dir = a.Positional(0, "checkpoint directory");
        var ids = a.Ids("ids") ?? throw new UsageException("missing required option --ids (text prompts need a tokenizer)");
        var sampling = new SamplingOptions
        {
            Temperature = a.Double("temperature") ?? 0,
            TopP = a.Double("top-p") ?? 1,
            TopK = a.Int("top-k") ?? 0,
            RepetitionPenalty = a.Double("repetition-penalty") ?? 1,
            Seed = a.Int("seed") ?? 0,
        };
        var maxTokens = a.Int("max-tokens") ?? 32;
        var stopOverride = a.Ids("stop");
        var ignoreEos = a.Flag("ignore-eos");
        var topLogprobs = a.Int("logprobs") ?? 0;
        var json = a.Flag("json");
        a.EnsureAllUsed(1);
        if (maxTokens < 1) throw new UsageException("--max-tokens must be at least 1");
        if (topLogprobs is < 0 or > 20) throw new UsageException("--logprobs must be between 0 and 20");
        try { sampling.Validate(); } catch (ArgumentException e) { throw new UsageException(e.Message); }

        using var model = ModelLoader.Load(dir);
        var stops = stopOverride ?? (ignoreEos ? [] : model.Config.EosTokenId?.Select(i => (long)i).ToArray() ?? []);
        var first = true;
        var result = TextGenerator.Generate(model, new GenerationRequest
        {
            Prompts = [ids],
            MaxNewTokens = maxTokens,
            Sampling = sampling,
            StopTokens = stops,
            TopLogprobs = topLogprobs,
            OnToken = json ? null : e =>
            {
                Console.Write((first ? "" : ",") + e.Token.Id);
                Console.Out.Flush();
                first = false;
            },
        })[0];
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                ids = result.Ids,
                finish_reason = result.Finish.ToString().ToLowerInvariant(),
                tokens = result.Tokens.Select(t => new
                {
                    id = t.Id, logprob = t.Logprob,
                    top_logprobs = t.Top.Select(x => new { id = x.Id, logprob = x.Logprob }),
                }),
            }));
        }
        else Console.WriteLine();
        return 0;
    }
}
