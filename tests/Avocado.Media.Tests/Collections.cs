namespace Avocado.Media.Tests;

// xunit finds collection definitions only in the test assembly itself.

/// <summary>Tests that change or measure the whole process (an environment variable, the peak memory) run alone,
/// after the parallel ones: other tests would see the change or inflate the measurement.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide (runs alone)";
}
