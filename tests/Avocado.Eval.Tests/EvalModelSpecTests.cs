using Avocado.Eval;
using Avocado.Teachers;

namespace Avocado.Eval.Tests;

public class EvalModelSpecTests
{
    [Fact]
    public void Parses_checkpoints_and_endpoints()
    {
        var local = EvalModelSpec.Parse("student=runs/student");
        Assert.Equal(("student", "runs/student", false), (local.Name, local.CheckpointDir, local.IsEndpoint));

        var remote = EvalModelSpec.Parse("qwen=http://127.0.0.1:8000/v1#Qwen/Qwen3-8B");
        Assert.Equal(("qwen", "http://127.0.0.1:8000/v1", "Qwen/Qwen3-8B"), (remote.Name, remote.Endpoint!.OriginalString, remote.EndpointModel));

        var named = EvalModelSpec.Parse("gemma3:4b=HTTPS://example.com/v1");
        Assert.Equal(("gemma3:4b", "gemma3:4b", 443), (named.Name, named.EndpointModel, named.Endpoint!.Port)); // model defaults to the name
    }

    [Theory]
    [InlineData("student", "expected NAME=DIR or NAME=URL[#MODEL]")]
    [InlineData("=runs/x", "expected NAME=DIR or NAME=URL[#MODEL]")]
    [InlineData("x=", "expected NAME=DIR or NAME=URL[#MODEL]")]
    [InlineData("x=http://", "is not a valid URL")]
    [InlineData("x=http://host:8000/v1#", "nothing after '#'")]
    public void Rejects_bad_specs_quoting_them(string spec, string message)
    {
        var e = Assert.Throws<EvalException>(() => EvalModelSpec.Parse(spec));
        Assert.Contains(message, e.Message);
        Assert.Contains($"'{spec}'", e.Message);
    }

    [Theory]
    [InlineData("gemma3:12b", TeacherFamilies.Gemma3)]
    [InlineData("google/gemma-3-27b-it", TeacherFamilies.Gemma3)]
    [InlineData("openai/gpt-oss-20b", TeacherFamilies.GptOss)]
    [InlineData("Qwen/Qwen3-8B", TeacherFamilies.Qwen3)]
    [InlineData("student", TeacherFamilies.Qwen3)]
    public void Guesses_an_endpoint_family_from_the_model_name(string model, string family) =>
        Assert.Equal(family, EvalModelLoader.GuessFamily(model));
}
