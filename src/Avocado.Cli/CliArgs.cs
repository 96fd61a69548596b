using System.Globalization;

namespace Avocado.Cli;

/// <summary>A usage mistake: printed with the command's usage, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Minimal GNU-style arguments: positionals, <c>--name value</c>, <c>--name=value</c> and flags.
/// Every option a command reads is checked off; leftovers are reported as unknown, so typos never pass silently.
/// An option may repeat only where the command reads it with <see cref="Options"/>; elsewhere a repeat is an error.</summary>
public sealed class CliArgs
{
    readonly List<string> positionals = [];
    readonly Dictionary<string, List<string?>> options = new(StringComparer.Ordinal);
    readonly HashSet<string> consumed = [];

    public CliArgs(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a == "--") { positionals.Add(a); continue; }
            var eq = a.IndexOf('=');
            var name = eq > 0 ? a[2..eq] : a[2..];
            string? value = eq > 0 ? a[(eq + 1)..] : null;
            if (value is null && !flags.Contains(name))
            {
                if (i + 1 >= list.Count) throw new UsageException($"option --{name} needs a value");
                value = list[++i];
            }
            if (options.TryGetValue(name, out var values)) values.Add(value);
            else options.Add(name, [value]);
        }
    }

    public string Positional(int index, string what) =>
        index < positionals.Count ? positionals[index] : throw new UsageException($"missing {what}");

    public string? Option(string name)
    {
        consumed.Add(name);
        if (!options.TryGetValue(name, out var values)) return null;
        return values.Count == 1 ? values[0] : throw new UsageException($"option --{name} given twice");
    }

    /// <summary>Every value of a repeatable option (<c>--model a --model b</c>), in order; empty when absent.</summary>
    public IReadOnlyList<string> Options(string name)
    {
        consumed.Add(name);
        if (!options.TryGetValue(name, out var values)) return [];
        return values.Select(v => v ?? throw new UsageException($"option --{name} needs a value")).ToList();
    }

    public string Required(string name) => Option(name) ?? throw new UsageException($"missing required option --{name}");

    /// <summary><c>--name</c> or <c>--name=true</c> is on, <c>--name=false</c> (or absence) off.</summary>
    public bool Flag(string name)
    {
        consumed.Add(name);
        if (!options.TryGetValue(name, out var values)) return false;
        if (values.Count != 1) throw new UsageException($"option --{name} given twice");
        return values[0] switch
        {
            null => true,
            var v when bool.TryParse(v, out var on) => on,
            var v => throw new UsageException($"--{name} is a flag: give --{name}, --{name}=true or --{name}=false, not '{v}'"),
        };
    }

    public int? Int(string name) => Option(name) is { } v ? ParseInt(name, v) : null;

    public double? Double(string name) =>
        Option(name) is { } v ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d : throw new UsageException($"--{name} expects a number, got '{v}'") : null;

    public long[]? Ids(string name) => Option(name) is { } v ? ParseIds(name, v) : null;

    /// <summary>Call after reading every option: unknown options and stray positionals are errors.</summary>
    public void EnsureAllUsed(int positionalCount)
    {
        var unknown = options.Keys.Where(k => !consumed.Contains(k)).ToList();
        if (unknown.Count > 0) throw new UsageException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        if (positionals.Count > positionalCount)
            throw new UsageException($"unexpected argument '{positionals[positionalCount]}'");
    }

    static int ParseInt(string name, string v) =>
        int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
            : throw new UsageException($"--{name} expects an integer, got '{v}'");

    public static long[] ParseIds(string name, string v)
    {
        var parts = v.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new UsageException($"--{name} expects comma-separated token ids, got '{v}'");
        return parts.Select(p => long.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id >= 0
            ? id : throw new UsageException($"--{name}: '{p}' is not a token id (a non-negative integer)")).ToArray();
    }
}
