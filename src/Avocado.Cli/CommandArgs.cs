using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Avocado.Cli;

/// <summary>A usage mistake: printed with a pointer to the command's help, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Typed access to a parsed command's options by the names it declares (<see cref="Opt"/>): System.CommandLine
/// has parsed and validated them; reading a name the command did not declare is a programming error.</summary>
public sealed class CommandArgs(ParseResult parse)
{
    public ParseResult Parse => parse;

    T Get<T>(string name)
    {
        var command = parse.CommandResult.Command;
        var option = command.Options.FirstOrDefault(o => o.Name == "--" + name)
                     ?? throw new InvalidOperationException($"'{command.Name}' reads --{name} but does not declare it");
        // Absent is default (null for values, false for flags) — System.CommandLine would give an empty array for ids.
        return parse.GetResult(option) is { Implicit: false } ? parse.GetValue((Option<T>)option)! : default!;
    }

    public string Positional(int index, string what)
    {
        var arguments = parse.CommandResult.Command.Arguments;
        return index < arguments.Count && parse.GetValue((Argument<string>)arguments[index]) is { Length: > 0 } v ? v
            : throw new UsageException($"missing {what}");
    }

    public string? Option(string name) => Get<string?>(name);
    public IReadOnlyList<string> Options(string name) => Get<string[]?>(name) ?? [];
    public string Required(string name) => Option(name) ?? throw new UsageException($"missing required option --{name}");
    public bool Flag(string name) => Get<bool>(name);
    public int? Int(string name) => Get<int?>(name);
    public double? Double(string name) => Get<double?>(name);
    public long[]? Ids(string name) => Get<long[]?>(name);

    public static long[] ParseIds(string name, string v)
    {
        var parts = v.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new UsageException($"--{name} expects comma-separated token ids, got '{v}'");
        return parts.Select(p => long.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id >= 0
            ? id : throw new UsageException($"--{name}: '{p}' is not a token id (a non-negative integer)")).ToArray();
    }
}

/// <summary>Option and argument factories: one place for how the CLI parses a kind of value and words its errors.</summary>
public static class Opt
{
    public static Option<string?> Str(string name, string description, string? helpName = null, string[]? values = null)
    {
        var o = new Option<string?>("--" + name) { Description = description, HelpName = helpName };
        if (values is not null)
        {
            o.CompletionSources.Add(values);
            o.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<string?>() is { } v && !values.Contains(v))
                    r.AddError($"--{name} must be one of {string.Join(", ", values)}, got '{v}'");
            });
        }
        return o;
    }

    public static Option<string[]?> Many(string name, string description, string? helpName = null) =>
        new("--" + name) { Description = description + " (repeatable)", HelpName = helpName, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

    public static Option<bool> Flag(string name, string description) => new("--" + name) { Description = description };

    public static Option<int?> Int(string name, string description, string? helpName = "N") => new("--" + name)
    {
        Description = description, HelpName = helpName,
        CustomParser = r => int.TryParse(Token(r), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
            : Fail<int?>(r, $"--{name} expects an integer, got '{Token(r)}'"),
    };

    public static Option<double?> Number(string name, string description, string? helpName = "X") => new("--" + name)
    {
        Description = description, HelpName = helpName,
        CustomParser = r => double.TryParse(Token(r), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d
            : Fail<double?>(r, $"--{name} expects a number, got '{Token(r)}'"),
    };

    public static Option<long[]?> Ids(string name, string description) => new("--" + name)
    {
        Description = description, HelpName = "ID,ID,…",
        CustomParser = r =>
        {
            try { return CommandArgs.ParseIds(name, Token(r)); }
            catch (UsageException e) { return Fail<long[]?>(r, e.Message); }
        },
    };

    public static Argument<string> Arg(string name, string description) => new(name) { Description = description, Arity = ArgumentArity.ExactlyOne };

    static string Token(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    static T Fail<T>(ArgumentResult r, string message)
    {
        r.AddError(message);
        return default!;
    }
}
