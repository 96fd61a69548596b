namespace Avocado.Teachers.Tests.Fakes;

/// <summary>A random source whose NextDouble is fixed (1 → every backoff takes its full cap; 0 → none).</summary>
public sealed class FixedRandom(double value) : Random
{
    public override double NextDouble() => value;
    protected override double Sample() => value;
}
