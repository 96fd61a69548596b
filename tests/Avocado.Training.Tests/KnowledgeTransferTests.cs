using System.Text.Json.Nodes;
using Avocado.Training;

namespace Avocado.Training.Tests;

/// <summary>
/// Distillation must transfer knowledge, measured with fixed seeds on a small arithmetic task by held-out
/// cross-entropy on the true answers: logit KD from a trained teacher beats sequence-only training at equal steps,
/// and a student taught by two specialists (per-skill routing) beats a student of either one on the union of skills.
/// </summary>
public class KnowledgeTransferTests
{
    static double HeldOutCe(string studentDir) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(studentDir, "training_summary.json")))!["eval"]!["eval/ce"]!.GetValue<double>();

    static string TrainTeacher(string root, string tokenizer, string skill, int seed)
    {
        var data = TrainingFixture.WriteJsonl(root, $"teacher-{skill}-data", TrainingFixture.Records(skill, 300, seed));
        var config = TrainingFixture.Config(Path.Combine(root, $"teacher-{skill}"), tokenizer, [data], steps: 150);
        return TrainingFixture.Train(config).StudentDir;
    }

    [Fact]
    public void Logit_distillation_from_a_trained_teacher_beats_sequence_only_training_at_equal_steps()
    {
        var root = TrainingFixture.TempDir("kd");
        var tokenizer = TrainingFixture.Tokenizer(root);
        var teacher = TrainTeacher(root, tokenizer, "add", 11);
        var few = TrainingFixture.WriteJsonl(root, "few", TrainingFixture.Records("add", 16, 12));
        var eval = TrainingFixture.WriteJsonl(root, "eval", TrainingFixture.Records("add", 48, 13));
        var sequenceOnly = TrainingFixture.Config(Path.Combine(root, "seq"), tokenizer, [few], steps: 60, eval: [eval]);
        var distilled = sequenceOnly with
        {
            RunDir = Path.Combine(root, "kd"), OutputDir = Path.Combine(root, "kd", "student"),
            Teachers = [new TrainTeacherSpec { Name = "teacher", Checkpoint = teacher, Tokenizer = teacher, ChatFormat = "qwen3" }],
            Losses = new LossSpec { Sequence = 1, Logit = 1 },
        };
        double seq = HeldOutCe(TrainingFixture.Train(sequenceOnly).StudentDir);
        double kd = HeldOutCe(TrainingFixture.Train(distilled).StudentDir);
        Assert.True(kd < seq * 0.95, $"held-out CE: sequence-only {seq:F4}, with logit KD {kd:F4}");
    }

    [Fact]
    public void A_student_of_two_specialist_teachers_beats_a_student_of_either_one_on_the_union_of_skills()
    {
        var root = TrainingFixture.TempDir("two");
        var tokenizer = TrainingFixture.Tokenizer(root);
        var adder = TrainTeacher(root, tokenizer, "add", 21);
        var subtractor = TrainTeacher(root, tokenizer, "sub", 22);
        var addTraces = TrainingFixture.WriteJsonl(root, "add", TrainingFixture.Records("add", 40, 23, teacher: "adder"));
        var subTraces = TrainingFixture.WriteJsonl(root, "sub", TrainingFixture.Records("sub", 40, 24, teacher: "subtractor"));
        var union = TrainingFixture.WriteJsonl(root, "eval", TrainingFixture.Records("add", 24, 25).Concat(TrainingFixture.Records("sub", 24, 26)));
        var adderSpec = new TrainTeacherSpec { Name = "adder", Checkpoint = adder, Tokenizer = adder, ChatFormat = "qwen3", Skills = ["add"] };
        var subSpec = new TrainTeacherSpec { Name = "subtractor", Checkpoint = subtractor, Tokenizer = subtractor, ChatFormat = "qwen3", Skills = ["sub"] };
        TrainConfig Student(string name, IReadOnlyList<string> data, IReadOnlyList<TrainTeacherSpec> teachers) =>
            TrainingFixture.Config(Path.Combine(root, name), tokenizer, data, steps: 80, eval: [union], teachers: teachers,
                losses: new LossSpec { Sequence = 1, Logit = 1 }, weighting: new WeightingSpec { Method = WeightingMethod.Skill });

        double onlyAdder = HeldOutCe(TrainingFixture.Train(Student("only-adder", [addTraces], [adderSpec])).StudentDir);
        double onlySub = HeldOutCe(TrainingFixture.Train(Student("only-sub", [subTraces], [subSpec])).StudentDir);
        double both = HeldOutCe(TrainingFixture.Train(Student("both", [addTraces, subTraces], [adderSpec, subSpec])).StudentDir);
        Assert.True(both < onlyAdder && both < onlySub, $"union held-out CE: adder only {onlyAdder:F4}, subtractor only {onlySub:F4}, both {both:F4}");
    }

    [Fact]
    public void A_teacher_with_a_different_tokenizer_teaches_through_byte_aligned_losses()
    {
        var root = TrainingFixture.TempDir("cross");
        // The teacher's tokenizer merges digits pairs and "+" into longer tokens, so the two tokenizations differ.
        string D(char c) => c.ToString();
        var merges = new List<(string, string)>();
        for (char a = '1'; a <= '4'; a++) for (char b = '0'; b <= '9'; b++) merges.Add((D(a), D(b)));
        merges.Add(("=", "?"));
        var teacherTokenizer = TrainingFixture.Tokenizer(root, "gpt-oss", merges);
        var studentTokenizer = TrainingFixture.Tokenizer(root, "qwen3");
        var teacherData = TrainingFixture.WriteJsonl(root, "teacher-data", TrainingFixture.Records("add", 300, 31));
        var teacherConfig = TrainingFixture.Config(Path.Combine(root, "teacher"), teacherTokenizer, [teacherData], steps: 150, family: "gpt-oss");
        // Harmony's system header is long: the teacher needs longer rows.
        var teacher = TrainingFixture.Train(teacherConfig with
        {
            Student = teacherConfig.Student with { Shape = teacherConfig.Student.Shape with { NumExperts = 4, ExpertsPerToken = 2 } },
            Training = teacherConfig.Training with { SeqLen = 512 },
        }).StudentDir;

        var few = TrainingFixture.WriteJsonl(root, "few", TrainingFixture.Records("add", 16, 32));
        var eval = TrainingFixture.WriteJsonl(root, "eval", TrainingFixture.Records("add", 48, 33));
        var sequenceOnly = TrainingFixture.Config(Path.Combine(root, "seq"), studentTokenizer, [few], steps: 60, eval: [eval]);
        var crossKd = sequenceOnly with
        {
            RunDir = Path.Combine(root, "xkd"), OutputDir = Path.Combine(root, "xkd", "student"),
            Teachers = [new TrainTeacherSpec { Name = "oss", Checkpoint = teacher, Tokenizer = teacher, ChatFormat = "gpt-oss" }],
            Losses = new LossSpec { Sequence = 1, Uld = 0.1, ExactMatch = 1, TeacherTopK = 16 },
        };
        double seq = HeldOutCe(TrainingFixture.Train(sequenceOnly).StudentDir);
        double cross = HeldOutCe(TrainingFixture.Train(crossKd).StudentDir);
        var last = JsonNode.Parse(File.ReadLines(Path.Combine(crossKd.RunDir, "metrics.jsonl")).Last())!;
        Assert.True(last["align/oss"]!.GetValue<double>() > 0.3, $"aligned fraction {last["align/oss"]}");
        Assert.NotNull(last["loss/uld_oss"]);
        Assert.NotNull(last["loss/exact_oss"]);
        Assert.True(cross < seq, $"held-out CE: sequence-only {seq:F4}, cross-tokenizer KD {cross:F4}");
    }
}
