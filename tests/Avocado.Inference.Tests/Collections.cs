namespace Avocado.Inference.Tests;

// xunit finds collection definitions only in the test assembly itself, so each project that shares a fixture from
// Avocado.Testing declares its collection here.

[CollectionDefinition(Name)]
public sealed class TinyQwen3Collection : ICollectionFixture<TinyQwen3Checkpoint>
{
    public const string Name = "tiny qwen3 checkpoint";
}
