using Avocado.Training.Losses;
using TorchSharp;
using static Avocado.Training.Tests.Losses.LossTestData;
using static TorchSharp.torch;

namespace Avocado.Training.Tests.Losses;

public class UldLossTests
{
    private static double Uld(double[,] studentProbs, double[,] teacherProbs) =>
        Value(UldLoss.Loss(LogitsOf(studentProbs), tensor(teacherProbs)));

    [Fact]
    public void Top_k_teacher_shorter_than_the_student_vocabulary()
    {
        using var scope = NewDisposeScope();
        // Teacher top-3 (0.2, 0.5, 0.1) sorted → (0.5, 0.2, 0.1), tail 0.2.
        // Student (0.1, 0.4, 0.3, 0.2): top-3 → (0.4, 0.3, 0.2), tail 0.1.
        // 0.1 + 0.1 + 0.1 + |0.2 − 0.1| = 0.4.
        Assert.Equal(0.4, Uld(new[,] { { 0.1, 0.4, 0.3, 0.2 } }, new[,] { { 0.2, 0.5, 0.1 } }), 12);
    }

    [Fact]
    public void Student_vocabulary_smaller_than_k_is_zero_padded()
    {
        using var scope = NewDisposeScope();
        // Teacher (0.1, 0.6, 0.3) → (0.6, 0.3, 0.1); student (0.7, 0.3) padded → (0.7, 0.3, 0); both tails 0.
        Assert.Equal(0.2, Uld(new[,] { { 0.7, 0.3 } }, new[,] { { 0.1, 0.6, 0.3 } }), 12);
    }

    [Fact]
    public void Full_distributions_over_unequal_vocabularies_give_uld_sorted_l1()
    {
        using var scope = NewDisposeScope();
        // Teacher V = 5 (0.05, 0.4, 0.15, 0.3, 0.1) → (0.4, 0.3, 0.15, 0.1, 0.05);
        // student V = 3 (0.5, 0.2, 0.3) → (0.5, 0.3, 0.2, 0, 0): 0.1 + 0 + 0.05 + 0.1 + 0.05 = 0.3.
        // Second row: teacher zero-padded (0.6, 0, 0.3, 0, 0), tail 0.1; student (0.5, 0.25, 0.25), tail 0:
        // 0.1 + 0.05 + 0.25 + 0 + 0 + |0.1 − 0| = 0.5. Mean 0.4.
        var student = new[,] { { 0.5, 0.2, 0.3 }, { 0.5, 0.25, 0.25 } };
        var teacher = new[,] { { 0.05, 0.4, 0.15, 0.3, 0.1 }, { 0.6, 0.0, 0.3, 0.0, 0.0 } };
        Assert.Equal(0.4, Uld(student, teacher), 12);
    }

    [Fact]
    public void Identical_distributions_give_zero()
    {
        using var scope = NewDisposeScope();
        var logits = Random(50, 3, 6);
        Assert.Equal(0.0, Value(UldLoss.Loss(logits, logits.softmax(1))), 12);
        var (top, _) = logits.softmax(1).topk(4, 1);
        Assert.Equal(0.0, Value(UldLoss.Loss(logits, top)), 12); // top-k teacher = the student's own top-k and tail
    }

    [Theory]
    [InlineData(3)]  // K < Vs: tails on both sides
    [InlineData(10)] // K > Vs: student zero-padded
    public void Gradient_matches_finite_differences(int k)
    {
        using var scope = NewDisposeScope();
        var raw = Random(51, 3, k, scale: 1).exp();
        var teacher = raw / (raw.sum(1, keepdim: true) * 1.25); // Σ = 0.8 per row: a tail of 0.2
        GradientCheck.AssertMatchesFiniteDifferences(Random(52, 3, 7), x => UldLoss.Loss(x, teacher));
    }

    [Fact]
    public void Log_probabilities_or_unnormalised_scores_are_rejected()
    {
        using var scope = NewDisposeScope();
        var student = Random(53, 1, 4);
        Assert.Throws<ArgumentException>(() => UldLoss.Loss(student, tensor(new[,] { { -0.5, -1.2 } })));
        Assert.Throws<ArgumentException>(() => UldLoss.Loss(student, tensor(new[,] { { 0.9, 0.5 } })));
        Assert.Throws<ArgumentException>(() => UldLoss.Loss(student, tensor(new[,] { { 0.5, 0.5 }, { 0.5, 0.5 } })));
    }
}
