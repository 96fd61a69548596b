namespace Avocado.Cli.Tests;

// xunit finds collection definitions only in the test assembly itself, so each project that shares a fixture from
// Avocado.Testing declares its collection here.

[CollectionDefinition(Name)]
public sealed class TinyTeachersCollection : ICollectionFixture<TinyTeachers>
{
    public const string Name = "tiny distill teachers";
}
