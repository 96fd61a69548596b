using System.Diagnostics;

namespace Avocado.Testing;

/// <summary>Runs node / python3 / the avocado CLI as separate processes, as a user would.</summary>
public static class ExternalTools
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, string? workingDirectory = null,
        TimeSpan? timeout = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Debian's <c>/usr/bin/python3</c>, which has python3-torch / -numpy / -pil (the PATH's python3 may be
    /// another interpreter without them); scripts/setup installs the packages.</summary>
    public const string SystemPython = "/usr/bin/python3";

    /// <summary>Runs a script of <c>tests/parity</c> with <see cref="SystemPython"/>; fails with its stderr when it fails.</summary>
    public static string RunParityScript(string relativeScript, params string[] args)
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "parity", relativeScript);
        var (code, stdout, stderr) = Run(SystemPython, [script, .. args], timeout: TimeSpan.FromMinutes(5));
        if (code != 0) throw new InvalidOperationException($"{relativeScript} exited {code}:\n{stderr}");
        return stdout;
    }

    /// <summary>The CLI built next to the tests (project reference).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "avocado.dll");

    /// <summary>Runs <c>avocado ARGS</c> in a process of its own.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunCli(params string[] args) => Run("dotnet", [CliDll, .. args]);
}
