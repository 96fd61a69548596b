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

    /// <summary>Debian's interpreter, which python3-torch, python3-numpy and python3-pil install into (the first
    /// python3 on PATH may be another one without them); scripts/setup installs the three packages.</summary>
    public const string SystemPython = "/usr/bin/python3";

    /// <summary>Runs <see cref="SystemPython"/> on a script of the repository (path relative to its root) with
    /// libtorch and BLAS on one thread (the test machines' cores are shared). Fails the test with the install
    /// command when the interpreter or one of <paramref name="modules"/> is missing, and with the script's stderr
    /// when it exits non-zero; returns its stdout.</summary>
    public static string RunSystemPython(string script, IEnumerable<string> args, string[] modules, TimeSpan? timeout = null)
    {
        const string Install = "run scripts/setup as root, or: apt-get install python3-torch python3-numpy python3-pil";
        if (!File.Exists(SystemPython)) Assert.Fail($"{SystemPython} is needed for this reference check and is missing; {Install}");
        var single = new Dictionary<string, string?> { ["OMP_NUM_THREADS"] = "1", ["MKL_NUM_THREADS"] = "1", ["OPENBLAS_NUM_THREADS"] = "1" };
        if (modules.Length > 0)
        {
            var probe = Run(SystemPython, ["-c", "import " + string.Join(", ", modules)], environment: single);
            if (probe.ExitCode != 0) Assert.Fail($"{SystemPython} lacks a module this check needs ({string.Join(", ", modules)}): {probe.Stderr.Trim()}; {Install}");
        }
        var (code, stdout, stderr) = Run(SystemPython, [Path.Combine(RepoPaths.Root, script), .. args], timeout: timeout, environment: single);
        if (code != 0) Assert.Fail($"{script} {string.Join(' ', args)} exited with {code}:\n{stderr}");
        return stdout;
    }

    /// <summary>Runs a script of <c>tests/parity</c> with <see cref="SystemPython"/> (torch and numpy needed).</summary>
    public static string RunParityScript(string relativeScript, params string[] args) =>
        RunSystemPython(Path.Combine("tests", "parity", relativeScript), args, ["torch", "numpy"], TimeSpan.FromMinutes(5));

    /// <summary>The CLI built next to the tests (project reference).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "avocado.dll");

    /// <summary>Runs <c>avocado ARGS</c> in a process of its own.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunCli(params string[] args) => Run("dotnet", [CliDll, .. args]);
}
