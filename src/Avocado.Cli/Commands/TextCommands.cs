using System.Text.Json;
using Avocado.Text.Chat;
using Avocado.Text.Tokenizers;

namespace Avocado.Cli.Commands;

/// <summary><c>avocado tokenize|detokenize|chat-format</c>.</summary>
public static class TextCommands
{
    public static int Tokenize(CommandArgs a)
    {
        var dir = a.Positional(0, "checkpoint directory");
        var text = ReadText(a);
        var special = a.Flag("special");
        var addSpecial = a.Flag("add-special-tokens");
        var offsets = a.Flag("offsets");
        var tokenizer = TokenizerLoader.Load(dir);
        if (offsets)
        {
            var encoded = tokenizer.EncodeWithOffsets(text, special, addSpecial);
            Console.WriteLine(JsonSerializer.Serialize(new { ids = encoded.Ids, offsets = encoded.ByteOffsets.Select(o => new[] { o.Start, o.End }) }));
        }
        else Console.WriteLine(JsonSerializer.Serialize(new { ids = tokenizer.Encode(text, special, addSpecial) }));
        return 0;
    }

    public static int Detokenize(CommandArgs a)
    {
        var dir = a.Positional(0, "checkpoint directory");
        var ids = a.Ids("ids") ?? throw new UsageException("missing required option --ids");
        var skip = a.Flag("skip-special");
        var tokenizer = TokenizerLoader.Load(dir);
        foreach (var id in ids)
            if (id >= tokenizer.VocabSize) throw new UsageException($"--ids: token {id} is outside the vocabulary [0, {tokenizer.VocabSize})");
        Console.WriteLine(tokenizer.Decode(ids.Select(i => (int)i), skip));
        return 0;
    }

    public static int ChatFormat(CommandArgs a)
    {
        var dir = a.Positional(0, "checkpoint directory");
        var file = a.Required("messages");
        var generationPrompt = a.Flag("generation-prompt");
        var options = ChatOptionsFrom(a) with { AddGenerationPrompt = generationPrompt };
        var ids = a.Flag("ids");
        var conversation = ChatFormats.ReadConversationFile(file);
        var format = ChatFormatFor(dir);
        var rendered = format.Render(conversation.Messages, options with { Tools = conversation.Tools.Count > 0 ? conversation.Tools : null });
        if (ids) Console.WriteLine(JsonSerializer.Serialize(new { ids = TokenizerLoader.Load(dir).Encode(rendered, parseSpecial: true) }));
        else Console.Write(rendered);
        return 0;
    }

    /// <summary>--thinking on|off and --reasoning-effort low|medium|high.</summary>
    public static ChatOptions ChatOptionsFrom(CommandArgs a) => new()
    {
        EnableThinking = (a.Option("thinking") ?? "on") switch
        {
            "on" => true,
            "off" => false,
            var t => throw new UsageException($"--thinking must be on or off, got '{t}'"),
        },
        Effort = (a.Option("reasoning-effort") ?? "medium") switch
        {
            "low" => ReasoningEffort.Low,
            "medium" => ReasoningEffort.Medium,
            "high" => ReasoningEffort.High,
            var e => throw new UsageException($"--reasoning-effort must be low, medium or high, got '{e}'"),
        },
    };

    /// <summary>The chat format follows the tokenizer (a student may use another family's tokenizer); without a known
    /// tokenizer, the architecture decides.</summary>
    public static IChatFormat ChatFormatFor(string dir)
    {
        var family = FamilyOfTokenizer(dir) ?? Avocado.Models.Config.ConfigLoader.Load(dir).Family;
        return ChatFormats.For(family);
    }

    public static string? FamilyOfTokenizer(string dir)
    {
        var configPath = Path.Combine(dir, "tokenizer_config.json");
        if (!File.Exists(configPath)) return null;
        var text = File.ReadAllText(configPath);
        if (text.Contains("<|im_start|>", StringComparison.Ordinal)) return "qwen3";
        if (text.Contains("<start_of_turn>", StringComparison.Ordinal)) return "gemma3";
        if (text.Contains("<|channel|>", StringComparison.Ordinal)) return "gpt-oss";
        return null;
    }

    static string ReadText(CommandArgs a)
    {
        var text = a.Option("text");
        var file = a.Option("file");
        if ((text is null) == (file is null)) throw new UsageException("give exactly one of --text or --file");
        return text ?? File.ReadAllText(file!);
    }
}
