using Avocado.Training.Losses;
using TorchSharp;
using static Avocado.Training.Tests.Losses.LossTestData;
using static TorchSharp.torch;

namespace Avocado.Training.Tests.Losses;

public class TopKLossTests
{
    private static Tensor Ids(long[,] ids) => tensor(ids);

    [Fact]
    public void Tail_bucket_matches_the_hand_computed_value()
    {
        using var scope = NewDisposeScope();
        // Student q = (0.1, 0.2, 0.3, 0.4) in every row.
        var student = LogitsOf(new[,] { { 0.1, 0.2, 0.3, 0.4 }, { 0.1, 0.2, 0.3, 0.4 }, { 0.1, 0.2, 0.3, 0.4 } });
        var ids = Ids(new long[,] { { 3, 1 }, { 3, -1 }, { -1, -1 } });
        var logprobs = tensor(new[,] { { Math.Log(0.5), Math.Log(0.3) }, { Math.Log(0.5), Math.Log(0.3) }, { double.NegativeInfinity, 0.0 } });
        // Row 0: buckets {3}, {1}, tail {0, 2}: teacher (0.5, 0.3, 0.2), student (0.4, 0.2, 0.4).
        double row0 = 0.5 * Math.Log(0.5 / 0.4) + 0.3 * Math.Log(0.3 / 0.2) + 0.2 * Math.Log(0.2 / 0.4);
        // Row 1: the second teacher token has no student id, so its 0.3 joins the tail: teacher (0.5, 0.5), student (0.4, 0.6).
        double row1 = 0.5 * Math.Log(0.5 / 0.4) + 0.5 * Math.Log(0.5 / 0.6);
        // Row 2: nothing mapped: one bucket holding everything on both sides, KL 0 (padding values are ignored).
        double expected = (row0 + row1 + 0.0) / 3;
        Assert.Equal(expected, Value(TopKLoss.Kl(student, ids, logprobs)), 12);
    }

    [Fact]
    public void All_ids_mapped_equals_forward_kl()
    {
        using var scope = NewDisposeScope();
        var student = Random(20, 3, 7);
        var teacher = Random(21, 3, 7);
        // Ids in a scrambled order per row: bucket order must not matter.
        var ids = Ids(new long[,] { { 0, 1, 2, 3, 4, 5, 6 }, { 6, 5, 4, 3, 2, 1, 0 }, { 3, 0, 6, 1, 5, 2, 4 } });
        var logprobs = teacher.log_softmax(1).gather(1, ids);
        Assert.Equal(Value(LogitLosses.ForwardKl(student, teacher)), Value(TopKLoss.Kl(student, ids, logprobs)), 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public void Coarse_grained_kl_never_exceeds_the_full_kl(int k)
    {
        using var scope = NewDisposeScope();
        for (int seed = 0; seed < 4; seed++)
        {
            var student = Random(30 + seed, 5, 7, scale: 3);
            var teacher = Random(40 + seed, 5, 7, scale: 3);
            var (logprobs, ids) = teacher.log_softmax(1).topk(k, 1);
            double topK = Value(TopKLoss.Kl(student, ids, logprobs));
            double full = Value(LogitLosses.ForwardKl(student, teacher));
            Assert.InRange(topK, 1e-6, full + 1e-12); // > 0 as well: the buckets still differ
        }
    }

    [Fact]
    public void Float32_student_with_float32_logprobs_runs_in_float32()
    {
        using var scope = NewDisposeScope();
        var student = Random(22, 3, 7);
        var teacher = Random(23, 3, 7);
        var (logprobs, ids) = teacher.log_softmax(1).topk(3, 1);
        var low = TopKLoss.Kl(student.to(ScalarType.BFloat16), ids.to(ScalarType.Int32), logprobs.to(ScalarType.Float32));
        Assert.Equal(ScalarType.Float32, low.dtype);
        Assert.Equal(Value(TopKLoss.Kl(student, ids, logprobs)), Value(low), 0.05);
    }

    [Fact]
    public void Gradient_matches_finite_differences_with_tail_unmapped_and_empty_rows()
    {
        using var scope = NewDisposeScope();
        var ids = Ids(new long[,] { { 4, 0, 6 }, { 2, -1, 5 }, { -1, -1, -1 } });
        var logprobs = tensor(new[,] { { -0.7, -1.9, -2.5 }, { -1.1, -1.3, -2.0 }, { -1.0, -2.0, -3.0 } });
        GradientCheck.AssertMatchesFiniteDifferences(Random(24, 3, 7), x => TopKLoss.Kl(x, ids, logprobs));
    }

    [Fact]
    public void Gradient_matches_finite_differences_when_every_id_is_mapped()
    {
        using var scope = NewDisposeScope();
        // No tail bucket: the masked logsumexp is over −∞ only, whose NaN gradient must not leak.
        var teacher = Random(25, 2, 5);
        var ids = Ids(new long[,] { { 0, 1, 2, 3, 4 }, { 4, 2, 0, 1, 3 } });
        var logprobs = teacher.log_softmax(1).gather(1, ids);
        GradientCheck.AssertMatchesFiniteDifferences(Random(26, 2, 5), x => TopKLoss.Kl(x, ids, logprobs));
    }

    [Fact]
    public void Duplicate_ids_in_a_row_are_an_error_naming_the_row()
    {
        using var scope = NewDisposeScope();
        var ids = Ids(new long[,] { { 0, 1 }, { 2, 2 } });
        var e = Assert.Throws<ArgumentException>(() => TopKLoss.Kl(Random(27, 2, 4), ids, tensor(new[,] { { -1.0, -2.0 }, { -1.0, -2.0 } })));
        Assert.Contains("row 1", e.Message);
        // −1 repeated is padding, not a duplicate.
        TopKLoss.Kl(Random(27, 2, 4), Ids(new long[,] { { -1, -1 }, { 2, -1 } }), tensor(new[,] { { -1.0, -2.0 }, { -1.0, -2.0 } }));
    }

    [Theory]
    [InlineData(4L)]
    [InlineData(-2L)]
    public void Ids_outside_the_student_vocabulary_are_an_error(long badId)
    {
        using var scope = NewDisposeScope();
        var ids = Ids(new long[,] { { 0, badId } });
        Assert.Throws<ArgumentException>(() => TopKLoss.Kl(Random(28, 1, 4), ids, tensor(new[,] { { -1.0, -2.0 } })));
    }

    [Fact]
    public void Mismatched_shapes_and_float_ids_are_errors()
    {
        using var scope = NewDisposeScope();
        var student = Random(29, 2, 4);
        var logprobs = tensor(new[,] { { -1.0, -2.0 }, { -1.0, -2.0 } });
        Assert.Throws<ArgumentException>(() => TopKLoss.Kl(student, Ids(new long[,] { { 0, 1 } }), logprobs.narrow(0, 0, 1)));
        Assert.Throws<ArgumentException>(() => TopKLoss.Kl(student, Ids(new long[,] { { 0, 1, 2 }, { 0, 1, 2 } }), logprobs));
        Assert.Throws<ArgumentException>(() => TopKLoss.Kl(student, logprobs, logprobs));
    }
}
