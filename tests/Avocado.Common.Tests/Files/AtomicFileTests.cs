using Avocado.Common.Files;

namespace Avocado.Common.Tests.Files;

public sealed class AtomicFileTests
{
    [Fact]
    public void A_write_that_fails_midway_leaves_the_old_file_and_no_temporary()
    {
        using var dir = new TempDir();
        var path = dir.File("data.json");
        AtomicFile.WriteAllText(path, "old");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("new but torn"u8);
            throw new InvalidOperationException("disk full (played)");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["data.json"], dir.FileNames());
    }

    [Fact]
    public void Concurrent_writers_of_one_file_never_share_a_temporary_and_one_whole_content_wins()
    {
        using var dir = new TempDir();
        var path = dir.File("shared.txt");
        var contents = Enumerable.Range(0, 16).Select(i => new string((char)('a' + i), 100_000)).ToArray();

        Parallel.ForEach(contents, c => AtomicFile.WriteAllText(path, c));

        Assert.Contains(File.ReadAllText(path), contents);
        Assert.Equal(["shared.txt"], dir.FileNames());
    }

    [Fact]
    public void Text_is_utf8_without_a_byte_order_mark_and_lines_end_in_newline()
    {
        using var dir = new TempDir();
        AtomicFile.WriteAllText(dir.File("t.txt"), "café");
        AtomicFile.WriteAllLines(dir.File("l.txt"), ["a", "b"]);

        Assert.Equal("café"u8.ToArray(), File.ReadAllBytes(dir.File("t.txt")));
        Assert.Equal("a\nb\n", File.ReadAllText(dir.File("l.txt")));
    }

    [Fact]
    public void A_staged_file_is_invisible_until_committed_and_gone_if_abandoned()
    {
        using var dir = new TempDir();
        var path = dir.File("model.safetensors");
        using (var staged = StagedFile.Write(path, 4, s => s.Write("1234"u8)))
        {
            Assert.False(File.Exists(path));
            var temp = Assert.Single(dir.FileNames());
            Assert.True(StagedFile.IsTemporaryName(temp));
        }
        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void A_staged_directory_replaces_the_old_one_whole()
    {
        using var dir = new TempDir();
        var final = dir.File("step-00000010");
        Directory.CreateDirectory(final);
        File.WriteAllText(Path.Combine(final, "stale.json"), "old");

        var staged = AtomicDirectory.Stage(final);
        Assert.True(AtomicDirectory.IsTemporaryName(Path.GetFileName(staged)));
        File.WriteAllText(Path.Combine(staged, "state.json"), "new");
        AtomicDirectory.Commit(staged, final);

        Assert.Equal(["state.json"], Directory.GetFiles(final).Select(Path.GetFileName));
        Assert.Equal([final], Directory.GetDirectories(dir.Path));
    }
}
