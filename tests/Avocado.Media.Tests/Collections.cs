namespace Avocado.Media.Tests;

// xunit finds collection definitions only in the test assembly itself.

/// <summary>The generated test videos and images, made once per test run (ffmpeg, a few seconds).</summary>
[CollectionDefinition(Name)]
public sealed class MediaFilesCollection : ICollectionFixture<MediaFiles>
{
    public const string Name = "generated media files";
}

/// <summary>Tests that change or measure the whole process (an environment variable, the peak memory) run alone,
/// after the parallel ones: other tests would see the change or inflate the measurement.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide (runs alone)";
}
