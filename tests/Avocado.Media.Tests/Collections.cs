namespace Avocado.Media.Tests;

// xunit finds collection definitions only in the test assembly itself.

/// <summary>The generated test videos and images, made once per test run (ffmpeg, a few seconds).</summary>
[CollectionDefinition(Name)]
public sealed class MediaFilesCollection : ICollectionFixture<MediaFiles>
{
    public const string Name = "generated media files";
}

/// <summary>Runs alone: it measures the process's peak memory, which parallel tests would inflate.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "memory measurement";
}
