using System.CommandLine;
using System.Text.RegularExpressions;

namespace Avocado.Cli.Tests;

/// <summary>Every verb documents itself: <c>avocado VERB --help</c> (a real process) lists every option the verb
/// declares, and every option a command body reads is declared (reading an undeclared one throws, see CommandArgs).</summary>
public sealed class HelpTests
{
    /// <summary>Every runnable command of the tree, as its words ("model init").</summary>
    public static IEnumerable<object[]> Verbs()
    {
        IEnumerable<(string Path, Command Command)> Walk(Command c, string path) =>
            c.Subcommands.Count == 0 ? [(path, c)] : c.Subcommands.SelectMany(s => Walk(s, (path + " " + s.Name).Trim()));
        return Walk(AvocadoCommands.Build(), "").Select(v => new object[] { v.Path });
    }

    static Command Find(string path) =>
        path.Split(' ').Aggregate((Command)AvocadoCommands.Build(), (c, name) => c.Subcommands.Single(s => s.Name == name));

    [Theory]
    [MemberData(nameof(Verbs))]
    public void Help_of_every_verb_lists_every_option_it_declares(string verb)
    {
        var (code, stdout, stderr) = ExternalTools.RunCli([.. verb.Split(' '), "--help"]);

        Assert.True(code == 0, stderr);
        Assert.Contains($"avocado {verb}", stdout);
        foreach (var option in Find(verb).Options)
            Assert.Matches(new Regex($@"^\s+{Regex.Escape(option.Name)}\b", RegexOptions.Multiline), stdout);
        foreach (var argument in Find(verb).Arguments)
            Assert.Contains($"<{argument.Name}>", stdout);
    }

    [Fact]
    public void The_root_help_lists_every_verb_and_so_does_help()
    {
        var root = ExternalTools.RunCli("--help");
        var help = ExternalTools.RunCli("help");
        Assert.Equal(0, root.ExitCode);
        Assert.Equal(root.Stdout, help.Stdout);
        foreach (var verb in AvocadoCommands.Build().Subcommands) Assert.Matches(new Regex($@"^\s+{Regex.Escape(verb.Name)}\b", RegexOptions.Multiline), root.Stdout);
    }

    [Theory]
    [InlineData("--no-serve", true)]
    [InlineData("--no-serve=true", true)]
    [InlineData("--no-serve=false", false)]
    [InlineData("--no-serve:false", false)]
    public void A_flag_takes_an_explicit_value(string given, bool expected)
    {
        var parse = AvocadoCommands.Build().Parse(["quickstart", given]);
        Assert.Empty(parse.Errors);
        Assert.Equal(expected, new CommandArgs(parse).Flag("no-serve"));
    }

    [Fact]
    public void Repeatable_options_keep_every_value_in_order_and_single_ones_refuse_a_second()
    {
        var parse = AvocadoCommands.Build().Parse(["serve", "--model", "a=/m/a", "--model=b=/m/b", "--upstream", "u=http://h/v1", "--max-batch", "4"]);
        Assert.Empty(parse.Errors);
        var args = new CommandArgs(parse);
        Assert.Equal(["a=/m/a", "b=/m/b"], args.Options("model"));
        Assert.Equal(["u=http://h/v1"], args.Options("upstream"));
        Assert.Equal(4, args.Int("max-batch"));
        Assert.Null(args.Int("max-context"));
        Assert.Null(args.Option("db"));

        Assert.NotEmpty(AvocadoCommands.Build().Parse(["serve", "--db", "a", "--db", "b"]).Errors);
        Assert.Contains("--max-batch expects an integer, got 'many'",
            AvocadoCommands.Build().Parse(["serve", "--max-batch", "many"]).Errors.Select(e => e.Message));
    }

    [Fact]
    public void Reading_an_option_a_command_does_not_declare_is_caught()
    {
        var parse = AvocadoCommands.Build().Parse(["quickstart"]);
        Assert.Throws<InvalidOperationException>(() => new CommandArgs(parse).Option("nonexistent"));
    }

    [Fact]
    public void The_completion_script_asks_the_cli_and_the_cli_answers()
    {
        var script = ExternalTools.RunCli("completion");
        Assert.Equal(0, script.ExitCode);
        Assert.Contains("complete -o default -F _avocado_complete avocado", script.Stdout);
        var suggest = ExternalTools.RunCli("[suggest:19]", "./avocado serve --m");
        Assert.Equal(["--max-batch", "--max-context", "--model"], suggest.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
