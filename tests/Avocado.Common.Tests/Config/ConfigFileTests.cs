using System.Text;
using System.Text.Json.Nodes;
using Avocado.Common.Config;

namespace Avocado.Common.Tests.Config;

public sealed class ConfigFileTests
{
    static JsonNode? Yaml(string yaml) => JsonNode.Parse(ConfigFile.YamlToJson(Encoding.UTF8.GetBytes(yaml), "run.yaml"));

    [Fact]
    public void Yaml_becomes_the_json_a_person_meant()
    {
        var node = Yaml("""
            # a comment
            teachers:
              - name: qwen
                samples_per_prompt: 4
                sampling: { temperature: 0.6, top_p: .95, seed: -3 }
                preferred_skills: [math, "code"]
                revision: "0001"       # quoted: a string, not the number 1
                license: ~
                verifier: true
            output_dir: out
            note: |
              two
              lines
            """)!;

        var teacher = node["teachers"]![0]!;
        Assert.Equal(4, teacher["samples_per_prompt"]!.GetValue<long>());
        Assert.Equal(0.95, teacher["sampling"]!["top_p"]!.GetValue<double>());
        Assert.Equal(-3, teacher["sampling"]!["seed"]!.GetValue<long>());
        Assert.Equal(["math", "code"], teacher["preferred_skills"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("0001", teacher["revision"]!.GetValue<string>());
        Assert.Null(teacher["license"]);
        Assert.True(teacher["verifier"]!.GetValue<bool>());
        Assert.Equal("two\nlines", node["note"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("1_000")]
    [InlineData("0x10")]
    [InlineData("1e")]
    [InlineData("yes")]
    [InlineData("2026-12-07")]
    public void Plain_words_that_are_not_yaml_1_2_numbers_or_booleans_stay_strings(string scalar) =>
        Assert.Equal(scalar, Yaml($"v: {scalar}")!["v"]!.GetValue<string>());

    [Theory]
    [InlineData("a: [1, 2", "not valid YAML (line")]
    [InlineData("a: 1\na: 2", "not valid YAML (line 2")]   // YamlDotNet refuses a duplicate key itself
    [InlineData("a: 1\n---\nb: 2", "expected one YAML document, found 2")]
    public void Broken_yaml_is_refused_naming_where(string yaml, string message) =>
        Assert.Contains(message, Assert.Throws<ConfigException>(() => Yaml(yaml)).Message);

    [Fact]
    public void Json_is_read_as_it_is_and_a_missing_file_is_named()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("run.json"), "{\"a\": 1}");
        File.WriteAllText(dir.File("run.yml"), "a: 1");
        Assert.Equal(ConfigFile.Read(dir.File("run.json")).Raw, ConfigFile.Read(dir.File("run.json")).Json);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(ConfigFile.Read(dir.File("run.yml")).Json));
        Assert.Contains("nope.yaml: config file not found", Assert.Throws<ConfigException>(() => ConfigFile.Read(dir.File("nope.yaml"))).Message);
    }
}
