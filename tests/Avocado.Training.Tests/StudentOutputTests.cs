using System.Text.Json;
using System.Text.Json.Nodes;
using Avocado.Models;
using Avocado.Text.Tokenizers;
using static TorchSharp.torch;

namespace Avocado.Training.Tests;

/// <summary>The student directory read by implementations that are not ours: Hugging Face tokenizers (Rust, through
/// tests/reference-tokenizers) for tokenizer.json, and a safetensors reader written from the published format in
/// python3 + NumPy-free struct/array code for model.safetensors.</summary>
public class StudentOutputTests
{
    static readonly Lazy<string> Student = new(() =>
    {
        var root = TrainingFixture.TempDir("output");
        var tokenizer = TrainingFixture.Tokenizer(root, "qwen3", [("1", "2"), ("=", "?")]);
        var train = TrainingFixture.WriteJsonl(root, "train", TrainingFixture.Records("add", 16, 41));
        return TrainingFixture.Train(TrainingFixture.Config(Path.Combine(root, "run"), tokenizer, [train], steps: 5)).StudentDir;
    });

    [Fact]
    public void Hugging_Face_tokenizers_reads_the_students_tokenizer_json_with_the_same_ids()
    {
        var texts = new[] { "<|im_start|>user\n12+7=?<|im_end|>\n<|im_start|>assistant\n<think>\n12+7=19\n</think>\n\n19<|im_end|>", "héllo 世界 😀 12 =?" };
        var request = new JsonObject { ["mode"] = "encode", ["texts"] = new JsonArray([.. texts.Select(t => (JsonNode)t)]), ["parseSpecial"] = true };
        var requestPath = Path.Combine(Student.Value, "..", "hf-request.json");
        File.WriteAllText(requestPath, request.ToJsonString());
        var scriptDir = Path.Combine(RepoPaths.Root, "tests", "reference-tokenizers");
        var (code, stdout, stderr) = ExternalTools.Run("node", ["reference.mjs", "hf:" + Path.Combine(Student.Value, "tokenizer.json"), requestPath], scriptDir);
        Assert.True(code == 0, stderr);
        var reference = JsonNode.Parse(stdout)!["ids"]!.AsArray();
        var ours = TokenizerLoader.Load(Student.Value);
        for (int i = 0; i < texts.Length; i++)
            Assert.Equal(reference[i]!.AsArray().Select(x => x!.GetValue<int>()), ours.Encode(texts[i]));
    }

    [Fact]
    public void An_independent_safetensors_reader_sees_the_weights_this_projects_loader_sees()
    {
        // Reads the 8-byte header length, the JSON header and each F32 tensor's bytes by the published layout.
        const string script = """
            import json, struct, sys, array
            path = sys.argv[1]
            with open(path, 'rb') as f: data = f.read()
            n = struct.unpack('<Q', data[:8])[0]
            header = json.loads(data[8:8 + n])
            out = {}
            for name, t in header.items():
                if name == '__metadata__': continue
                assert t['dtype'] == 'F32', (name, t['dtype'])
                a, b = t['data_offsets']
                values = array.array('f'); values.frombytes(data[8 + n + a:8 + n + b])
                count = 1
                for d in t['shape']: count *= d
                assert len(values) == count, name
                out[name] = {'shape': t['shape'], 'sum': sum(values), 'first': values[0]}
            print(json.dumps(out))
            """;
        var scriptPath = Path.Combine(Student.Value, "..", "read_safetensors.py");
        File.WriteAllText(scriptPath, script);
        var (code, stdout, stderr) = ExternalTools.Run("python3", [scriptPath, Path.Combine(Student.Value, "model.safetensors")]);
        Assert.True(code == 0, stderr);
        var reference = JsonNode.Parse(stdout)!.AsObject();
        using var model = ModelLoader.Load(Student.Value);
        var parameters = model.named_parameters().ToList();
        Assert.Equal(parameters.Count, reference.Count);
        foreach (var (name, p) in parameters)
        {
            var r = reference[name]!;
            Assert.Equal(p.shape, r["shape"]!.AsArray().Select(x => x!.GetValue<long>()));
            Assert.Equal(p.flatten()[0].item<float>(), r["first"]!.GetValue<float>());
            Assert.Equal(p.to(ScalarType.Float64).sum().item<double>(), r["sum"]!.GetValue<double>(), 1e-6);
        }
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Student.Value, "config.json")))!;
        Assert.Equal("qwen3", config["model_type"]!.GetValue<string>());
        Assert.Equal(TokenizerLoader.Load(Student.Value).VocabSize, config["vocab_size"]!.GetValue<int>());
    }
}

/// <summary>The exported chat template, rendered by Jinja2 the way transformers does (tests/chat-templates/render.py),
/// produces exactly the text the student was trained on.</summary>
public class StudentChatTemplateTests
{
    [Theory]
    [InlineData("qwen3")]
    [InlineData("gemma3")]
    public void The_exported_chat_template_renders_what_the_student_was_trained_on(string family)
    {
        var root = TrainingFixture.TempDir("template-" + family);
        var tokenizer = TrainingFixture.Tokenizer(root, family);
        var train = TrainingFixture.WriteJsonl(root, "train", TrainingFixture.Records("add", 8, 61));
        var config = TrainingFixture.Config(Path.Combine(root, "run"), tokenizer, [train], steps: 1, family: family);
        var student = TrainingFixture.Train(config).StudentDir;

        var record = TrainingFixture.Records("add", 1, 62)[0];
        var example = new Avocado.Training.Data.ExampleBuilder(TokenizerLoader.Load(student), Avocado.Text.Chat.ChatFormats.For(family)).Build(record, 0);
        var (prompt, _) = Avocado.Training.Data.ExampleBuilder.Conversation(record, family);
        var messages = new JsonArray([.. prompt.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content })]);
        var request = new JsonObject
        {
            ["template"] = new JsonObject { ["tokenizer_config"] = Path.Combine(student, "tokenizer_config.json") },
            ["cases"] = new JsonArray(new JsonObject { ["messages"] = messages, ["add_generation_prompt"] = true }),
        };
        var requestPath = Path.Combine(root, "render.json");
        File.WriteAllText(requestPath, request.ToJsonString());
        var script = Path.Combine(RepoPaths.Root, "tests", "chat-templates", "render.py");
        var (code, stdout, stderr) = ExternalTools.Run("bash", ["-c", $"python3 '{script}' < '{requestPath}'"]);
        Assert.True(code == 0, stderr);
        var response = JsonNode.Parse(stdout)!;
        Assert.True(response["ok"]!.GetValue<bool>(), stdout);
        var rendered = response["results"]![0]!["text"]!.GetValue<string>();
        // The generation prompt is exactly the part of the training text before the assistant's tokens.
        Assert.Equal(System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(example.Text)[..example.PromptBytes]), rendered);
    }
}
