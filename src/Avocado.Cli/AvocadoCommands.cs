using System.CommandLine;
using Avocado.Cli.Commands;
using static Avocado.Cli.Opt;

namespace Avocado.Cli;

/// <summary>Every verb and option of <c>avocado</c>, declared once: parsing, validation, <c>--help</c> for each verb and
/// tab completion all come from here (System.CommandLine). The bodies live in <c>Commands/</c>.</summary>
public static class AvocadoCommands
{
    const string CheckpointDir = "checkpoint directory (Hugging Face layout: config.json, *.safetensors, tokenizer.json)";
    static readonly string[] Families = ["qwen3", "gemma3", "gpt-oss", "gemma3-vision"];

    public static RootCommand Build()
    {
        var root = new RootCommand("avocado — distill open-weight teachers into one closed student, and serve it.");
        foreach (var c in new[] { Quickstart(), Model(), Generate(), Tokenize(), Detokenize(), ChatFormat(), Distill(), Data(), Eval(), Serve(), Video() })
            root.Subcommands.Add(c);
        foreach (var c in Admin()) root.Subcommands.Add(c);
        root.Subcommands.Add(Help(root));
        root.Subcommands.Add(Completion());
        return root;
    }

    static Command Cmd(string name, string description, Func<CommandArgs, Task<int>> action, params Symbol[] symbols)
    {
        var c = new Command(name, description);
        foreach (var s in symbols)
        {
            if (s is Option o) c.Options.Add(o);
            else if (s is Argument a) c.Arguments.Add(a);
        }
        c.SetAction((parse, _) => action(new CommandArgs(parse)));
        return c;
    }

    static Command Cmd(string name, string description, Func<CommandArgs, int> action, params Symbol[] symbols) =>
        Cmd(name, description, a => Task.FromResult(action(a)), symbols);

    static Command Group(string name, string description, params Command[] subcommands)
    {
        var c = new Command(name, description);
        foreach (var s in subcommands) c.Subcommands.Add(s);
        return c;
    }

    static Option[] ChatOptions() =>
    [
        Str("thinking", "reasoning in the reply (Qwen3 enable_thinking): on (default) or off", "on|off", ["on", "off"]),
        Str("reasoning-effort", "gpt-oss reasoning effort (default medium)", "low|medium|high", ["low", "medium", "high"]),
    ];

    static Command Quickstart() => Cmd("quickstart",
        "The main job end to end on this machine: curriculum, three teachers, traces, one student, evaluation, then the metered API. Every stage is cached; Ctrl-C and rerun resumes.",
        QuickstartCommand.RunAsync,
        Str("preset", "size of the run (default: default; smoke is the ~1-minute variant)", "default|smoke", ["default", "smoke"]),
        Str("dir", "work directory (default .avocado/quickstart/PRESET)", "DIR"),
        Flag("no-serve", "stop after the report instead of serving the student"),
        Flag("baselines", "also train one student per single teacher (same budget) for comparison"),
        Int("port", "port of the API (default 8080)", "PORT"),
        Str("db", "billing database (default DIR/avocado.db)", "PATH"));

    static Command Model() => Group("model", "Checkpoints in Hugging Face layout",
        Cmd("init", "write a randomly initialised checkpoint of a family", ModelCommands.Init,
            Str("family", "model family (required)", "FAMILY", Families), Str("preset", "size preset (default tiny)", "tiny", ["tiny"]),
            Str("out", "output directory (required)", "DIR"), Int("seed", "initialisation seed (default 0)"),
            Int("vocab-size", "embedding rows (default: the tokenizer's, or the preset's)"),
            Str("tokenizer", "built-in tokenizer to copy in", "NAME", ["qwen3", "gemma3", "o200k_harmony"]),
            Str("dtype", "stored dtype (default f32)", "f32|bf16|f16", ["f32", "bf16", "f16"])),
        Cmd("info", "describe a checkpoint", ModelCommands.Info, Arg("DIR", CheckpointDir), Flag("json", "print JSON")),
        Cmd("logits", "next-token logits of every position", ModelCommands.Logits, Arg("DIR", CheckpointDir),
            Ids("ids", "prompt token ids (required)"), Str("out", "write JSON to this file instead of stdout", "FILE")),
        Cmd("embed-image", "what replaces an image's placeholder tokens: the projector's output rows, as JSON", SeeingCommands.EmbedImage,
            Arg("DIR", CheckpointDir), Str("image", "image file: PNG, JPEG or WebP (required)", "FILE"), Str("out", "write the JSON here instead of stdout", "FILE.json")),
        Cmd("export-gguf", "export for llama.cpp / Ollama", ModelCommands.ExportGguf, Arg("DIR", CheckpointDir),
            Str("out", "GGUF file to write (required)", "FILE"), Str("dtype", "weight type (default f32)", "f32|f16", ["f32", "f16"])));

    static Command Generate() => Cmd("generate", "generate from a checkpoint, streaming tokens (ids for --ids, text for --prompt)", GenerateCommand.RunAsync,
        [Arg("DIR", CheckpointDir), Ids("ids", "prompt as token ids"), Str("prompt", "prompt as text", "TEXT"),
         Flag("chat", "render --prompt as a user turn in the checkpoint's chat format"), .. ChatOptions(),
         Int("max-tokens", "most new tokens (default 32 for ids, 256 for text)"), Number("temperature", "0 is greedy (default 0)"),
         Number("top-p", "nucleus sampling (default 1)"), Int("top-k", "0 is off (default 0)"),
         Number("repetition-penalty", "1 is off (default 1)"), Int("seed", "sampling seed (default 0)"),
         Ids("stop", "stop token ids (default: the tokenizer's and chat format's)"), Flag("ignore-eos", "generate to --max-tokens"),
         Int("logprobs", "top log-probabilities per token, 0–20 (with --json)", "K"), Flag("json", "print one JSON object at the end"),
         Many("image", "an image (PNG, JPEG, WebP) shown before the prompt; repeatable; needs a checkpoint that sees and --chat", "FILE"),
         Str("video", "a video whose sampled frames (with their times) are shown before the prompt", "FILE"),
         Number("fps", "video frames per second to sample (default: --frames spread evenly)", "F"),
         Int("frames", "most video frames (default 8)")]);

    static Command Tokenize() => Cmd("tokenize", "text to token ids", TextCommands.Tokenize,
        Arg("DIR", CheckpointDir), Str("text", "text to encode", "TEXT"), Str("file", "file whose text to encode", "FILE"),
        Flag("special", "parse special tokens in the text"), Flag("add-special-tokens", "add BOS/EOS as the tokenizer's post-processor does"),
        Flag("offsets", "also print each token's UTF-8 byte offsets"));

    static Command Detokenize() => Cmd("detokenize", "token ids to text", TextCommands.Detokenize,
        Arg("DIR", CheckpointDir), Ids("ids", "token ids (required)"), Flag("skip-special", "leave special tokens out"));

    static Command ChatFormat() => Cmd("chat-format", "render a conversation in the checkpoint's chat format", TextCommands.ChatFormat,
        [Arg("DIR", CheckpointDir), Str("messages", "JSON file with messages (and tools) (required)", "FILE"),
         Flag("generation-prompt", "end with the assistant turn's opening"), .. ChatOptions(), Flag("ids", "print token ids instead of text")]);

    static Command Distill() => Group("distill", "Distillation: traces from teachers, then the student",
        Cmd("generate", "teachers → verified, selected, decontaminated distillation set (Parquet/JSONL shards + manifest + card)",
            DistillCommands.GenerateAsync, Str("config", "run config, JSON (required)", "RUN.json"),
            Flag("resume", "continue in a non-empty output_dir (cached replies are reused)")),
        Cmd("train", "train the student (Ctrl-C checkpoints and stops)", TrainCommand.Run,
            Str("config", "training config, JSON (required)", "TRAIN.json"), Str("resume", "run directory to continue", "RUN_DIR"),
            Int("threads", "CPU threads for TorchSharp (default: all cores)")));

    static Command Data() => Group("data", "Distillation sets",
        Cmd("inspect", "summary and first records of a distillation set", DistillCommands.Inspect,
            Arg("PATH", "a .jsonl shard, manifest.json or the dataset directory"), Int("head", "records to show (default 3)")));

    static Command Eval() => Cmd("eval", "every model answers every bench prompt; per-skill accuracy, pass@k, tokens and latency (report.json, report.md, accuracy.png)",
        a => EvalCommand.RunAsync(a, a.Parse.InvocationConfiguration.Output, a.Parse.InvocationConfiguration.Error),
        [Many("model", "NAME=DIR of a checkpoint, or NAME=http(s)://HOST/v1[#MODEL] of an endpoint (required)", "NAME=DIR|URL"),
         Many("bench", "JSONL, GSM8K or MATH file (required)", "FILE"), Int("samples", "answers per prompt (default 1)", "K"),
         Int("pass-k", "k of pass@k (default: samples)", "K"), Number("temperature", "default 0 for one sample, 0.7 for several"),
         Int("max-tokens", "most tokens per answer"), Int("seed", "sampling seed (default 0)"), Str("out", $"report directory (default {EvalCommand.DefaultOutDir})", "DIR"),
         Int("concurrency", "requests in flight (default 4)"),
         Str("thinking", "reasoning in replies: on (default) or off", "on|off", ["on", "off"])]);

    static Command Video() => Group("video", "Videos for vision teachers and the student: probe, scenes, sampled frames (ffmpeg)",
        Cmd("probe", "duration, frame rate, size, frame count and scenes of a video", VideoCommands.ProbeAsync,
            Arg("FILE", "video file"), Flag("json", "print JSON: duration, fps, width, height, frames, codec, scenes [{start, end}] (seconds)")),
        Cmd("frames", "sample frames as PNG files plus DIR/frames.json [{index, timestamp, scene, file}]", VideoCommands.FramesAsync,
            Arg("FILE", "video file"),
            Str("sampler", "uniform: N evenly over the video; fps: F per second, at most N; scene: one per scene, the rest by scene length (default uniform)",
                "uniform|fps|scene", ["uniform", "fps", "scene"]),
            Int("frames", $"the budget N: at most this many frames (default {VideoCommands.DefaultFrames})"),
            Number("fps", "frames per second for --sampler fps (default 1)", "F"),
            Int("max-side", $"longest side of a frame in pixels, aspect kept (default {VideoCommands.DefaultMaxSide})"),
            Str("out", "output directory: new, empty, or an earlier run's frames (required)", "DIR")));

    static Command Serve() => Cmd("serve", "the OpenAI-compatible API with keys, tenants, metering and a prepaid ledger", ServeCommand.RunAsync,
        Many("model", "NAME=DIR: serve a checkpoint in-process", "NAME=DIR"),
        Many("upstream", "NAME=URL[#MODEL]: resell an OpenAI-compatible server (key from $AVOCADO_UPSTREAM_KEY_NAME)", "NAME=URL"),
        Str("db", "billing database: a SQLite path or postgres://… (default .avocado/avocado.db or $AVOCADO_DB)", "PATH|URL"),
        Str("urls", "listen addresses, ';'-separated (default http://127.0.0.1:8080)", "URLS"),
        Str("admin-key", "enables /admin with this bearer key (default $AVOCADO_ADMIN_KEY)", "KEY"),
        Int("max-batch", "sequences decoded together per model (default 8)"), Int("max-context", "prompt + reply tokens per sequence (default 4096)"),
        Str("instance-id", "this gateway's id in the billing database (default host|urls); unique per gateway", "ID"),
        Flag("verbose", "log every request"));

    static Option Db() => Str("db", "billing database: a SQLite path or postgres://… (default .avocado/avocado.db or $AVOCADO_DB)", "PATH|URL");

    static Command AdminCmd(string name, string description, Func<Avocado.Serving.Billing.IBillingStore, CommandArgs, Task<int>> action, params Symbol[] symbols) =>
        Cmd(name, description, a => AdminCommands.RunAsync(a, action), [.. symbols, Db()]);

    static IEnumerable<Command> Admin() =>
    [
        Group("tenants", "customers",
            AdminCmd("create", "create a tenant; prints its id", AdminCommands.TenantCreate, Arg("NAME", "tenant name")),
            AdminCmd("list", "list tenants (JSON)", AdminCommands.TenantList)),
        Group("keys", "API keys",
            AdminCmd("create", "create a key; prints the secret (shown once)", AdminCommands.KeyCreate,
                Str("tenant", "tenant id (required)", "ID"), Str("name", "label (default key)", "NAME"),
                Str("models", "models the key may use, comma-separated (default all)", "A,B"), Int("rpm", "requests per minute"),
                Int("tpm", "tokens per minute"), Str("expires", "expiry date/time (UTC), e.g. 2026-12-31", "DATE")),
            AdminCmd("list", "list a tenant's keys (JSON)", AdminCommands.KeyList, Str("tenant", "tenant id (required)", "ID")),
            AdminCmd("revoke", "revoke a key", AdminCommands.KeyRevoke, Arg("KEY_ID", "key id"))),
        Group("prices", "prices per model",
            AdminCmd("set", "set a model's price", AdminCommands.PriceSet, Arg("MODEL", "model name"),
                Str("input", "US dollars per million prompt tokens (required)", "USD"), Str("output", "US dollars per million completion tokens (required)", "USD")),
            AdminCmd("list", "list prices (JSON)", AdminCommands.PriceList)),
        Group("credits", "prepaid credit",
            AdminCmd("grant", "add credit (a negative amount adjusts down)", AdminCommands.CreditGrant, Arg("TENANT", "tenant id"),
                Arg("USD", "amount in US dollars"), Str("note", "ledger note", "TEXT")),
            AdminCmd("balance", "a tenant's balance, reserved and available money", AdminCommands.Balance, Arg("TENANT", "tenant id"))),
        AdminCmd("usage", "metered usage, grouped", AdminCommands.Usage,
            Str("tenant", "only this tenant", "ID"), Str("key", "only this key", "ID"), Str("model", "only this model", "MODEL"),
            Str("from", "first day, e.g. 2026-11-24", "DATE"), Str("to", "last day", "DATE"),
            Str("group-by", "any of tenant,key,model,day", "FIELDS"), Flag("json", "print JSON")),
    ];

    static Command Help(RootCommand root)
    {
        var c = new Command("help", "show this help");
        c.SetAction(_ => root.Parse("--help").Invoke());
        return c;
    }

    static Command Completion()
    {
        var c = new Command("completion", "print a bash completion script: source <(./avocado completion)");
        c.SetAction(_ =>
        {
            Console.Write(BashCompletion);
            return 0;
        });
        return c;
    }

    /// <summary>Asks the CLI itself what completes the words so far (System.CommandLine's [suggest] directive).</summary>
    const string BashCompletion = """
        _avocado_complete() {
            local IFS=$'\n'
            COMPREPLY=( $("${COMP_WORDS[0]}" "[suggest:${#COMP_LINE}]" "$COMP_LINE" 2>/dev/null) )
        }
        complete -o default -F _avocado_complete avocado ./avocado

        """;
}
