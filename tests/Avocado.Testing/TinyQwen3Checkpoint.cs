using Avocado.Teachers;
using Avocado.Inference;
using Avocado.Models;
using Avocado.Text.Tokenizers;

namespace Avocado.Testing;

/// <summary>The real tokenizers, loaded once per test run.</summary>
public static class TestTokenizers
{
    static readonly Lazy<ITokenizer> qwen3 = new(() => BuiltInTokenizers.Load(BuiltInTokenizers.Qwen3));
    static readonly Lazy<ITokenizer> gemma3 = new(() => BuiltInTokenizers.Load(BuiltInTokenizers.Gemma3));
    static readonly Lazy<ITokenizer> o200k = new(() => BuiltInTokenizers.Load(BuiltInTokenizers.O200kHarmony));

    public static ITokenizer Qwen3 => qwen3.Value;
    public static ITokenizer Gemma3 => gemma3.Value;
    public static ITokenizer O200kHarmony => o200k.Value;
}

/// <summary>A tiny random Qwen3-architecture checkpoint with the real Qwen3 tokenizer (as <c>avocado model init
/// --family qwen3 --tokenizer qwen3</c> writes it), written once and loaded once for the tests of a collection.</summary>
public sealed class TinyQwen3Checkpoint : IDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "avocado-teacher-" + Guid.NewGuid().ToString("N"));
    public CausalLM Model { get; }
    public ITokenizer Tokenizer { get; }

    public TinyQwen3Checkpoint()
    {
        var tokenizer = TestTokenizers.Qwen3;
        var config = TinyPresets.For("qwen3", tokenizer.VocabSize) with
        {
            BosTokenId = null,
            EosTokenId = [.. tokenizer.EosIds],
            PadTokenId = tokenizer.PadId,
        };
        ModelInit.Write(config, Dir, seed: 3, TorchSharp.torch.ScalarType.Float32);
        BuiltInTokenizers.WriteTo(BuiltInTokenizers.Qwen3, Dir);
        Model = ModelLoader.Load(Dir);
        Tokenizer = tokenizer;
    }

    /// <summary>A teacher over the shared model (not owned: disposing the teacher leaves the model).</summary>
    public InProcessTeacher Teacher(InProcessTeacherOptions? options = null) =>
        InProcessTeacher.Create(Model, Tokenizer, (options ?? new InProcessTeacherOptions()) with { Name = "tiny", Revision = "test" });

    public void Dispose()
    {
        Model.Dispose();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

