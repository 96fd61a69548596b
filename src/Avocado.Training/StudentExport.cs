using Avocado.Common.Files;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avocado.Training.Data;
using Avocado.Training.Run;
using Avocado.Training.TeacherSignals;
using Avocado.Models;
using Avocado.Text.Chat;
using static TorchSharp.torch;

namespace Avocado.Training;

/// <summary>
/// The finished student in Hugging Face layout: config.json, generation_config.json, model.safetensors (float32),
/// tokenizer.json and tokenizer_config.json (chat template included when the tokenizer has one), plus README.md — a
/// model card naming teachers, data, licenses and results — and training_summary.json. Written to a temporary
/// directory and renamed into place.
/// </summary>
public static class StudentExport
{
    public static string Write(TrainConfig config, CausalLM student, TokenizerRef tokenizer, IChatFormat format,
        IReadOnlyList<TrainingTeacher> teachers, IReadOnlyList<DataFile> data, IReadOnlyList<TrainingExample> examples,
        IReadOnlyDictionary<string, double> eval, TrainingState state)
    {
        var final = config.OutputDir;
        var tmp = AtomicDirectory.Stage(final);
        ModelSaver.Save(student, tmp, ScalarType.Float32);
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json" })
            if (File.Exists(Path.Combine(tokenizer.Directory, file))) File.Copy(Path.Combine(tokenizer.Directory, file), Path.Combine(tmp, file));
        AddChatTemplate(Path.Combine(tmp, "tokenizer_config.json"), format.Family);
        var licenses = Licenses(teachers, examples);
        var summary = new JsonObject
        {
            ["steps"] = state.Step, ["tokens"] = state.Tokens, ["target_tokens"] = state.TargetTokens,
            ["seconds"] = Math.Round(state.ElapsedSeconds, 1), ["chat_format"] = format.Family, ["seed"] = config.Seed,
            ["eval"] = new JsonObject(eval.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Math.Round(kv.Value, 6)))),
            ["licenses"] = new JsonArray([.. licenses.Select(l => (JsonNode)l)]),
            ["gemma_terms"] = examples.Any(e => e.Record.GemmaTerms),
        };
        File.WriteAllText(Path.Combine(tmp, "training_summary.json"), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(tmp, "README.md"), ModelCard(config, student, tokenizer, format, teachers, data, examples, eval, state, licenses));
        AtomicDirectory.Commit(tmp, final);
        return final;
    }

    /// <summary>
    /// Tools that read the Hugging Face layout render prompts with <c>tokenizer_config.json</c>'s chat_template. A
    /// tokenizer without one (the small tokenizers of tiny students) gets the family's official template, copied at
    /// run time from the built-in tokenizer of that family (fetched by scripts/setup) — never written by us, so the
    /// student is prompted exactly as the format it was trained in. gpt-oss's template is not shipped with a built-in
    /// tokenizer, so such students keep none (docs/TRAINING.md).
    /// </summary>
    static void AddChatTemplate(string tokenizerConfigPath, string family)
    {
        var config = File.Exists(tokenizerConfigPath) ? JsonNode.Parse(File.ReadAllText(tokenizerConfigPath))!.AsObject() : new JsonObject();
        if (config.ContainsKey("chat_template")) return;
        var builtIn = family switch { "qwen3" => Text.Tokenizers.BuiltInTokenizers.Qwen3, "gemma3" => Text.Tokenizers.BuiltInTokenizers.Gemma3, _ => null };
        if (builtIn is null) return;
        string official;
        try { official = Path.Combine(Text.Tokenizers.BuiltInTokenizers.SourceDirectory(builtIn), "tokenizer_config.json"); }
        catch (FileNotFoundException) { return; } // tokenizers not fetched: the student still works with this project's formats
        if (JsonNode.Parse(File.ReadAllText(official))?["chat_template"] is not { } template) return;
        config["chat_template"] = template.DeepClone();
        File.WriteAllText(tokenizerConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    static List<string> Licenses(IReadOnlyList<TrainingTeacher> teachers, IReadOnlyList<TrainingExample> examples) =>
        examples.Select(e => e.Record.License).Concat(teachers.Select(t => t.Spec.License))
            .Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l!).Distinct().Order(StringComparer.Ordinal).ToList();

    static string ModelCard(TrainConfig config, CausalLM student, TokenizerRef tokenizer, IChatFormat format,
        IReadOnlyList<TrainingTeacher> teachers, IReadOnlyList<DataFile> data, IReadOnlyList<TrainingExample> examples,
        IReadOnlyDictionary<string, double> eval, TrainingState state, IReadOnlyList<string> licenses)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        long parameters = student.parameters().Sum(p => p.numel());
        sb.AppendLine(c, $"# Distilled student ({student.Config.Family}, {parameters / 1e6:F2}M parameters)").AppendLine();
        sb.AppendLine(c, $"Trained by Avocado's distillation trainer for {state.Step} steps on {state.Tokens:N0} tokens ({state.TargetTokens:N0} assistant tokens), seed {config.Seed}.");
        sb.AppendLine(c, $"Tokenizer: {tokenizer.Tokenizer.Name} (tokenizer.json sha256 {tokenizer.Sha256[..16]}…); chat format: {format.Family}.").AppendLine();
        sb.AppendLine("## Teachers").AppendLine();
        sb.AppendLine("| teacher | family / source | revision | license | records in data | how it taught |").AppendLine("|---|---|---|---|---|---|");
        var byTeacher = examples.GroupBy(e => e.Record.Teacher).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (name, group) in byTeacher.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var inProcess = teachers.FirstOrDefault(t => t.Spec.Name == name);
            var r = group[0].Record;
            sb.AppendLine(c, $"| {name} | {r.Family} | {r.ModelRevision} | {r.License} | {group.Count} | traces{(inProcess is null ? "" : inProcess.SharesVocabulary ? " + logits" : " + cross-tokenizer")} |");
        }
        foreach (var t in teachers.Where(t => !byTeacher.ContainsKey(t.Spec.Name)))
            sb.AppendLine(c, $"| {t.Spec.Name} | {t.Model.Config.Family} | {t.Revision} | {t.Spec.License ?? "unstated"} | 0 | {(t.SharesVocabulary ? "logits" : "cross-tokenizer")} |");
        sb.AppendLine().AppendLine("## Data").AppendLine();
        foreach (var f in data) sb.AppendLine(c, $"- `{Path.GetFileName(f.Path)}`: {f.Records} records, sha256 `{f.Sha256}`");
        foreach (var g in examples.GroupBy(e => e.Record.Skill ?? "(none)").OrderBy(g => g.Key, StringComparer.Ordinal))
            sb.AppendLine(c, $"- skill {g.Key}: {g.Count()} examples");
        sb.AppendLine().AppendLine("## Licenses").AppendLine();
        sb.AppendLine(licenses.Count == 0 ? "No license was recorded for the training data." : "Training data and teachers carry: " + string.Join(", ", licenses) + ".");
        if (examples.Any(e => e.Record.GemmaTerms) || teachers.Any(t => t.Model.Config.Family == "gemma3"))
            sb.AppendLine().AppendLine("**Gemma Terms of Use apply:** part of the training signal comes from Gemma models; this model is a Model Derivative under the Gemma Terms of Use (https://ai.google.dev/gemma/terms), whose use restrictions and notice requirements pass on to it.");
        sb.AppendLine().AppendLine("## Evaluation").AppendLine();
        if (eval.Count == 0) sb.AppendLine("No held-out set was given.");
        foreach (var (k, v) in eval.OrderBy(kv => kv.Key, StringComparer.Ordinal)) sb.AppendLine(c, $"- {k}: {v:G5}");
        sb.AppendLine().AppendLine("## Training objective").AppendLine().AppendLine("```");
        sb.AppendLine(new Objective.DistillObjective(config.Losses, config.Weighting, teachers, new Alignment.VocabularyBridge(tokenizer.Tokenizer)).Describe());
        sb.AppendLine("```");
        return sb.ToString();
    }
}
