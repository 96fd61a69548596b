using System.Reflection;
using Avocado.Serving.Gateway;

namespace Avocado.Serving.Tests.Gateway;

public sealed class GatewayDependenciesTests
{
    /// <summary>A gateway that only resells upstream servers must not carry libtorch: no assembly the gateway's
    /// project references, directly or through our other projects, is TorchSharp.</summary>
    [Fact]
    public void The_gateway_and_billing_do_not_reference_TorchSharp()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<AssemblyName>([typeof(GatewayHost).Assembly.GetName()]);
        while (queue.TryDequeue(out var name))
        {
            if (!seen.Add(name.Name!) || !name.Name!.StartsWith("Avocado.", StringComparison.Ordinal)) continue;
            foreach (var reference in Assembly.Load(name).GetReferencedAssemblies()) queue.Enqueue(reference);
        }
        Assert.Contains("Avocado.Serving.Billing", seen);
        Assert.DoesNotContain(seen, n => n.StartsWith("TorchSharp", StringComparison.Ordinal));
        Assert.DoesNotContain("Avocado.Models", seen);
    }
}
