using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Tests.NativeLifetime;

/// <summary>The static side of the Scalar rule (docs/TORCHSHARP.md): no code in src/ hands libtorch a Scalar that the
/// collector may finalize during the call. The dynamic side is GcPressureTests.</summary>
public class ScalarTemporariesTests
{
    static readonly Lazy<ScalarTemporaries> Check = new(() => new ScalarTemporaries(Path.Combine(AppContext.BaseDirectory, "TorchSharp.dll")));

    [Fact]
    public void No_assembly_of_the_product_passes_a_temporary_scalar_to_libtorch()
    {
        // Every project of src/ (the CLI, assembly "avocado", references them all).
        var assemblies = Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Where(p => Path.GetFileName(p) is var n && (n.StartsWith("Avocado.") || n == "avocado.dll") && !n.EndsWith(".Tests.dll") && n != "Avocado.Testing.dll").ToList();
        var sources = Directory.GetDirectories(Path.Combine(RepoPaths.Root, "src")).Select(Path.GetFileName).ToList();
        Assert.Equal(sources.Count, assemblies.Count);
        var findings = assemblies.SelectMany(p => Check.Value.Find(p)).ToList();
        Assert.True(findings.Count == 0, $"{findings.Count} temporary Scalars (hold them: docs/TORCHSHARP.md):\n" + string.Join("\n", findings));
    }

    [Fact]
    public void The_check_finds_each_shape_of_the_bug_and_accepts_held_scalars()
    {
        var findings = Check.Value.Find(typeof(ScalarTemporariesTests).Assembly.Location, t => t.Name == nameof(Samples));
        string[] flagged = [.. findings.Select(f => f.Split("::")[1].Split(' ')[0]).Distinct().Order()];
        Assert.Equal(["ImplicitDouble", "ImplicitInt", "ImplicitTensor", "InternalAlpha", "OperatorWithNumber", "UnheldToScalar"], flagged);
        Assert.All(findings, f => Assert.Contains("Samples.cs:", f));
        Assert.True(Check.Value.TorchSharpMembersThatMakeTemporaries > 50);
    }
}
