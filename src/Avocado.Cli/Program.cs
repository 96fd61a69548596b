using System.CommandLine;
using Avocado.Cli;
using Avocado.Models;
using Avocado.Models.Checkpoints;
using Avocado.Models.Config;

// Entry point: parse with the declared commands (AvocadoCommands), then run one and turn known failures into one
// clear line and an exit code: 0 done, 1 bad input (a file, a config, a checkpoint), 2 usage, 130 Ctrl-C.
TorchSharp.torch.set_num_threads(Environment.ProcessorCount);
return await Cli.RunAsync(args, Console.Out, Console.Error);

namespace Avocado.Cli
{
    public static class Cli
    {
        public const int UsageExit = 2;

        public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
        {
            var root = AvocadoCommands.Build();
            var parse = root.Parse(args.Length == 0 ? ["--help"] : args);
            if (parse.Errors.Count > 0)
            {
                foreach (var error in parse.Errors) stderr.WriteLine($"error: {error.Message}");
                stderr.WriteLine($"run './avocado {VerbOf(parse)}--help' for usage");
                return UsageExit;
            }
            try
            {
                // Ctrl-C is each command's own (CtrlC): it says what stops and how to resume.
                return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false,
                    Output = stdout, Error = stderr });
            }
            catch (UsageException e)
            {
                stderr.WriteLine($"error: {e.Message}");
                stderr.WriteLine($"run './avocado {VerbOf(parse)}--help' for usage");
                return UsageExit;
            }
            catch (Exception e) when (e is ConfigException or Avocado.Media.MediaException or CheckpointFormatException or ModelLoadException or Avocado.Models.Gguf.GgufExportException
                                          or Avocado.Text.Chat.ChatFormatException or ArgumentException or FileNotFoundException
                                          or DirectoryNotFoundException or IOException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        }

        /// <summary>"model init " for <c>avocado model init …</c>: the path of the command that was parsed.</summary>
        static string VerbOf(ParseResult parse)
        {
            var names = new List<string>();
            for (var r = parse.CommandResult; r is not null && r.Command is not RootCommand; r = r.Parent as System.CommandLine.Parsing.CommandResult)
                names.Insert(0, r.Command.Name);
            return names.Count == 0 ? "" : string.Join(' ', names) + " ";
        }
    }
}
