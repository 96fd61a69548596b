using Avocado.Common.Files;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Avocado.Data.Dataset;
using Avocado.Data.Verification;

namespace Avocado.Data.Curriculum;

/// <summary>
/// A small generated reasoning curriculum for the quickstart's tiny teachers: short, formulaic problems that still need
/// a step or two of work, each with a worked solution and a short answer the verifier checks.
/// <list type="bullet">
/// <item><c>arith_en</c> / <c>arith_zh</c>: two-step word problems (1–20, then ± 1–9 twice), in English / Chinese;</item>
/// <item><c>compare</c>: who is older/younger (taller, faster…) from one statement, or the larger/smaller of 2–3 numbers;</item>
/// <item><c>sequence</c>: the next term of an arithmetic sequence (steps of 1–9, rising or falling).</item>
/// </list>
/// Deterministic: the same split, count, seed and skills give the same items on every machine. Each problem belongs
/// to one split, decided by a hash of its wording-free key (its numbers or names), so "train" and "heldout" never share
/// a prompt, nor a problem reworded; each split draws from its own seeded stream and skips the other split's problems.
/// </summary>
public static class CurriculumGenerator
{
    public const string Train = "train", Heldout = "heldout";

    /// <summary>The teacher name and license of the worked solutions (<see cref="WriteSolutionsJsonl"/>).</summary>
    public const string Teacher = "curriculum", License = "generated";

    /// <summary>Bump when a template changes: the same seed then gives different items.</summary>
    public const string Revision = "curriculum-v3";

    /// <summary>One problem in <see cref="HeldoutShare"/> belongs to "heldout", the others to "train".</summary>
    private const int HeldoutShare = 4;

    private sealed record SkillSpec(string Language, Func<CurriculumRandom, CurriculumProblem> Next);

    private static readonly Dictionary<string, SkillSpec> Specs = new(StringComparer.Ordinal)
    {
        ["arith_en"] = new("en", ArithmeticProblems.English),
        ["arith_zh"] = new("zh", ArithmeticProblems.Chinese),
        ["compare"] = new("en", ComparisonProblems.Next),
        ["sequence"] = new("en", SequenceProblems.Next),
    };

    public static IReadOnlyList<string> Skills { get; } = ["arith_en", "arith_zh", "compare", "sequence"];

    /// <summary>
    /// <paramref name="perSkill"/> items of each skill (all of <see cref="Skills"/> when <paramref name="skills"/> is null),
    /// skill by skill in the order given; ids are <c>{skill}-{split}-{index:D6}</c>. Prompts are unique within the split
    /// and never appear in the other split. Throws when a skill has too few distinct problems for the count asked.
    /// </summary>
    public static IReadOnlyList<CurriculumItem> Generate(string split, int perSkill, int seed, IReadOnlyList<string>? skills = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        if (split is not (Train or Heldout))
            throw new ArgumentException($"unknown split \"{split}\"; use \"{Train}\" or \"{Heldout}\"", nameof(split));
        ArgumentOutOfRangeException.ThrowIfNegative(perSkill);
        skills ??= Skills;
        foreach (var skill in skills)
        {
            if (skill is null || !Specs.ContainsKey(skill))
                throw new ArgumentException($"unknown skill \"{skill}\"; the curriculum has {string.Join(", ", Skills)}", nameof(skills));
        }
        if (skills.Distinct(StringComparer.Ordinal).Count() != skills.Count)
            throw new ArgumentException($"skills are listed twice in [{string.Join(", ", skills)}]; list each once", nameof(skills));

        var items = new List<CurriculumItem>(perSkill * skills.Count);
        foreach (var skill in skills) items.AddRange(GenerateSkill(skill, Specs[skill], split, perSkill, seed));
        return items;
    }

    private static IEnumerable<CurriculumItem> GenerateSkill(string skill, SkillSpec spec, string split, int count, int seed)
    {
        var random = new CurriculumRandom(CurriculumRandom.Mix((ulong)(uint)seed ^ CurriculumRandom.Hash($"{split}/{skill}")));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long attempts = 0, limit = 100L * count + 10_000;
        int index = 0;
        while (index < count)
        {
            if (++attempts > limit)
                throw new InvalidOperationException($"the \"{skill}\" skill has too few distinct {split} problems: {index} found in {limit} tries, "
                    + $"{count} asked; ask for fewer items per skill");
            var problem = spec.Next(random);
            // A problem of the other split, or a prompt drawn already: draw again.
            if (SplitOf(problem.Key) != split || !seen.Add(problem.Prompt)) continue;
            yield return new CurriculumItem($"{skill}-{split}-{index:D6}", skill, spec.Language, problem.Prompt.Normalize(NormalizationForm.FormC),
                problem.Reasoning.Normalize(NormalizationForm.FormC), problem.Answer);
            index++;
        }
    }

    private static string SplitOf(string key) => CurriculumRandom.Hash(key) % HeldoutShare == 0 ? Heldout : Train;

    /// <summary>
    /// Writes the prompts as JSONL for <see cref="Prompts.PromptReader"/>: one object per line with id, prompt,
    /// reference (the short answer), skill and language.
    /// </summary>
    public static void WritePromptsJsonl(string path, IEnumerable<CurriculumItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        WriteLines(path, items.Select(i => JsonSerializer.Serialize(
            new PromptLine(i.Id, i.Prompt, i.Answer, i.Skill, i.Language), DatasetRecord.Json)));
    }

    /// <summary>
    /// Writes the worked solutions as <see cref="DatasetRecord"/> JSONL (what the quickstart teachers are trained on, and
    /// readable by <see cref="DatasetWriter.ReadShard"/>): messages = the user prompt and the assistant's
    /// <see cref="CurriculumItem.FinalAnswer"/>, the reasoning, teacher "curriculum", license "generated", and the
    /// verifier's verdict on the solution (always Correct; anything else is a bug and throws).
    /// </summary>
    public static void WriteSolutionsJsonl(string path, IEnumerable<CurriculumItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        WriteLines(path, items.Select(i => JsonSerializer.Serialize(ToRecord(i), DatasetRecord.Json)));
    }

    private static DatasetRecord ToRecord(CurriculumItem item)
    {
        var final = item.FinalAnswer;
        var check = AnswerVerifier.Default.Verify(final, item.Reasoning, item.Answer);
        if (check.Verdict != Verdict.Correct)
            throw new InvalidOperationException($"item {item.Id}: the verifier reads the final answer \"{final}\" as {check.Verdict} "
                + $"against \"{item.Answer}\"; the curriculum's answer format and the verifier disagree");
        return new DatasetRecord
        {
            Id = $"{item.Id}/{Teacher}/0",
            PromptId = item.Id,
            PromptSource = $"{Teacher}:{item.Skill}",
            Skill = item.Skill,
            Language = item.Language,
            Messages = [new RecordMessage { Role = "user", Content = item.Prompt }, new RecordMessage { Role = "assistant", Content = final }],
            Reasoning = item.Reasoning,
            Answer = final,
            Teacher = Teacher,
            Family = Teacher,
            ModelRevision = Revision,
            License = License,
            FinishReason = "stop",
            Verification = new RecordVerification
            {
                Verdict = check.Verdict.ToString(), Extracted = check.ExtractedAnswer, Reference = check.Reference, Method = check.Method.ToString(),
            },
            Selection = new RecordSelection { Policy = Teacher, Reason = "worked solution written by the generator", Score = 1.0 },
        };
    }

    private static void WriteLines(string path, IEnumerable<string> lines)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        AtomicFile.WriteAllLines(path, lines);
    }

    private sealed record PromptLine(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("prompt")] string Prompt,
        [property: JsonPropertyName("reference")] string Reference,
        [property: JsonPropertyName("skill")] string Skill,
        [property: JsonPropertyName("language")] string Language);
}
