using System.Text.Json;
using Avocado.Inference;
using Avocado.Models;
using Avocado.Models.Generation;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;

namespace Avocado.Cli.Commands;

/// <summary><c>avocado generate DIR (--ids … | --prompt "…" [--chat])</c>: streams tokens as they are chosen —
/// ids for an id prompt, text for a text prompt, with a chat reply's reasoning shown apart from its answer.</summary>
public static class GenerateCommand
{
    public static async Task<int> RunAsync(CommandArgs a)
    {
        var dir = a.Positional(0, "checkpoint directory");
        var ids = a.Ids("ids");
        var prompt = a.Option("prompt");
        var chat = a.Flag("chat");
        var chatOptions = TextCommands.ChatOptionsFrom(a);
        var sampling = new SamplingOptions
        {
            Temperature = a.Double("temperature") ?? 0,
            TopP = a.Double("top-p") ?? 1,
            TopK = a.Int("top-k") ?? 0,
            RepetitionPenalty = a.Double("repetition-penalty") ?? 1,
            Seed = a.Int("seed") ?? 0,
        };
        var maxTokens = a.Int("max-tokens") ?? (prompt is null ? 32 : 256);
        var stopOverride = a.Ids("stop");
        var ignoreEos = a.Flag("ignore-eos");
        var topLogprobs = a.Int("logprobs") ?? 0;
        var json = a.Flag("json");
        var images = a.Options("image");
        var videoPath = a.Option("video");
        var video = videoPath is null ? null : new SeeingPrompt.Video(videoPath, a.Double("fps"), a.Int("frames"));
        if (videoPath is null && (a.Double("fps") is not null || a.Int("frames") is not null)) throw new UsageException("--fps and --frames go with --video");
        if ((images.Count > 0 || video is not null) && !chat) throw new UsageException("--image and --video need --chat --prompt TEXT");
        if ((ids is null) == (prompt is null)) throw new UsageException("give exactly one of --ids or --prompt");
        if (chat && prompt is null) throw new UsageException("--chat needs --prompt");
        if (maxTokens < 1) throw new UsageException("--max-tokens must be at least 1");
        if (topLogprobs is < 0 or > 20) throw new UsageException("--logprobs must be between 0 and 20");
        try { sampling.Validate(); } catch (ArgumentException e) { throw new UsageException(e.Message); }

        ITokenizer? tokenizer = prompt is null ? null : TokenizerLoader.Load(dir);
        IChatFormat? format = chat ? TextCommands.ChatFormatFor(dir) : null;
        using var model = ModelLoader.Load(dir);
        VisualInputs? visual = null;
        if (images.Count > 0 || video is not null)
            (ids, visual) = await SeeingPrompt.BuildAsync(model, dir, tokenizer!, format!, prompt!, chatOptions, images, video);
        else if (prompt is not null)
        {
            var text = format?.Render([new ChatMessage("user", prompt)], chatOptions) ?? prompt;
            ids = tokenizer!.Encode(text, parseSpecial: chat, addSpecialTokens: !chat).Select(i => (long)i).ToArray();
        }

        var stops = stopOverride ?? (ignoreEos ? [] : StopIds(model, tokenizer, format));
        var printer = json ? null : new StreamPrinter(tokenizer, format, stops);
        if (ids!.FirstOrDefault(id => id >= model.VocabSize) is var outside && outside >= model.VocabSize)
            throw new UsageException($"--ids: token {outside} is outside the vocabulary [0, {model.VocabSize})");
        var request = new EngineRequest { PromptIds = ids!, MaxNewTokens = maxTokens, Sampling = sampling, StopTokens = stops, TopLogprobs = topLogprobs, Visual = visual };
        GeneratedSequence result;
        await using (var engine = new InferenceEngine(model, new EngineOptions { MaxBatch = 1, MaxContext = int.MaxValue }))
        {
            try { result = await engine.CompleteAsync(request, printer is null ? null : t => printer.Push(t.Id)); }
            catch (GenerationException e) { throw new ArgumentException(e.Message); }
        }
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                ids = result.Ids,
                text = tokenizer?.Decode(result.Ids.Select(i => (int)i), skipSpecial: !chat),
                reply = format is null || tokenizer is null ? null : format.Parse(tokenizer.Decode(result.Ids.Select(i => (int)i))),
                finish_reason = result.Finish.ToString().ToLowerInvariant(),
                tokens = result.Tokens.Select(t => new
                {
                    id = t.Id, logprob = t.Logprob,
                    top_logprobs = t.Top.Select(x => new { id = x.Id, logprob = x.Logprob }),
                }),
            }));
        }
        else printer!.Finish();
        return 0;
    }

    static long[] StopIds(CausalLM model, ITokenizer? tokenizer, IChatFormat? format)
    {
        var ids = new List<long>();
        if (tokenizer is not null)
        {
            ids.AddRange(tokenizer.EosIds.Select(i => (long)i));
            if (format is not null) ids.AddRange(format.StopTokens.Select(tokenizer.TokenToId).OfType<int>().Select(i => (long)i));
        }
        else ids.AddRange(model.Config.EosTokenId?.Select(i => (long)i) ?? []);
        return ids.Distinct().ToArray();
    }

    /// <summary>Prints ids, plain text, or a chat reply with its reasoning under its own heading.</summary>
    sealed class StreamPrinter(ITokenizer? tokenizer, IChatFormat? format, long[] stops)
    {
        readonly IncrementalDecoder? decoder = tokenizer?.CreateDecoder(skipSpecial: format is null);
        readonly StreamingReplyParser? parser = format?.CreateStreamingParser();
        ReplyPart? current;
        bool first = true;

        public void Push(long id)
        {
            if (decoder is null)
            {
                Console.Write((first ? "" : ",") + id);
                first = false;
            }
            else if (!stops.Contains(id)) Write(decoder.Push((int)id));
            Console.Out.Flush();
        }

        void Write(string text)
        {
            if (parser is null) { Console.Write(text); return; }
            foreach (var d in parser.Push(text)) Part(d);
        }

        void Part(ReplyDelta d)
        {
            if (d.Part != current)
            {
                Console.Write(d.Part switch
                {
                    ReplyPart.Reasoning => "── reasoning ──\n",
                    ReplyPart.ToolCall => (current is null ? "" : "\n") + "── tool call ──\n",
                    _ => (current is null ? "" : "\n") + "── answer ──\n",
                });
                current = d.Part;
            }
            Console.Write(d.ToolCall is { } call ? $"{call.Name}({call.ArgumentsJson})\n" : d.Text);
        }

        public void Finish()
        {
            if (decoder is not null)
            {
                var tail = decoder.Flush();
                if (parser is null) Console.Write(tail);
                else foreach (var d in parser.Push(tail).Concat(parser.Finish())) Part(d);
            }
            Console.WriteLine();
        }
    }
}
