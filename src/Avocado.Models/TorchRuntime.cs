using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Avocado.Models;

/// <summary>Process-wide native settings that must be in place before LibTorch loads.</summary>
static class TorchRuntime
{
    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>LibTorch's OpenMP workers spin for a while after each parallel region. During decoding that spinning
    /// steals the cores our bandwidth-bound matrix-vector kernel (<see cref="Layers.MatVec"/>) runs on, costing up
    /// to 4× in tokens/s on small machines; passive waiting gives them back. A value the user set is kept.
    /// .NET's Environment.SetEnvironmentVariable does not reach native getenv on Unix, hence libc's setenv.</summary>
#pragma warning disable CA2255 // deliberate: the setting must precede LibTorch's load, whoever loads this library
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void PreferPassiveOpenMpWaiting()
    {
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null) return;
        try { SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* only a speed setting */ }
    }
}
