using Avocado.Cli;
using Avocado.Cli.Commands;
using Avocado.Models;
using Avocado.Models.Checkpoints;
using Avocado.Models.Config;

// Entry point: dispatch a verb, turn known failures into one clear line and an exit code.
try
{
    TorchSharp.torch.set_num_threads(Environment.ProcessorCount);
    return Dispatch(args).GetAwaiter().GetResult();
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine("run './avocado help' for usage");
    return 2;
}
catch (Exception e) when (e is ConfigException or CheckpointFormatException or ModelLoadException or Avocado.Models.Gguf.GgufExportException or Avocado.Text.Chat.ChatFormatException or ArgumentException
                              or FileNotFoundException or DirectoryNotFoundException or IOException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static async Task<int> Dispatch(string[] args)
{
    var verb = args.Length > 0 ? args[0] : "help";
    var rest = args.Skip(1).ToArray();
    return verb switch
    {
        "serve" => await ServeCommand.RunAsync(rest),
        "quickstart" => await QuickstartCommand.RunAsync(rest),
        "tenants" or "keys" or "prices" or "credits" or "usage" => await AdminCommands.RunAsync(verb, rest),
        "model" => ModelCommands.Run(rest),
        "generate" => GenerateCommand.Run(rest),
        "tokenize" => TextCommands.Tokenize(rest),
        "detokenize" => TextCommands.Detokenize(rest),
        "chat-format" => TextCommands.ChatFormat(rest),
        "distill" => await DistillCommands.DistillAsync(rest),
        "data" => DistillCommands.Data(rest),
        "eval" => await EvalCommand.RunAsync(rest),
        "help" or "--help" or "-h" => Usage.Print(),
        _ => throw new UsageException($"unknown command '{verb}'"),
    };
}
