using Avocado.Training.Losses;
using TorchSharp;
using static Avocado.Training.Tests.Losses.LossTestData;
using static TorchSharp.torch;

namespace Avocado.Training.Tests.Losses;

public class LogitLossesTests
{
    // Two rows of three-token distributions; the expected values are computed from these numbers with plain doubles.
    private static readonly double[,] Teacher = { { 0.7, 0.2, 0.1 }, { 0.25, 0.25, 0.5 } };
    private static readonly double[,] Student = { { 0.5, 0.3, 0.2 }, { 0.6, 0.3, 0.1 } };

    [Fact]
    public void Forward_and_reverse_kl_match_the_closed_form()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(MeanRows(Teacher, Student, Kl), Value(LogitLosses.ForwardKl(LogitsOf(Student), LogitsOf(Teacher))), 12);
        Assert.Equal(MeanRows(Student, Teacher, Kl), Value(LogitLosses.ReverseKl(LogitsOf(Student), LogitsOf(Teacher))), 12);
    }

    [Fact]
    public void Two_token_kl_matches_the_closed_form()
    {
        using var scope = NewDisposeScope();
        var p = new[] { 0.9, 0.1 };
        var q = new[] { 0.4, 0.6 };
        double expected = 0.9 * Math.Log(0.9 / 0.4) + 0.1 * Math.Log(0.1 / 0.6);
        var kl = LogitLosses.ForwardKl(LogitsOf(new[,] { { q[0], q[1] } }), LogitsOf(new[,] { { p[0], p[1] } }));
        Assert.Equal(expected, Value(kl), 12);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.3)] // asymmetric β shows which side β weights: the teacher, as in TRL
    [InlineData(0.9)]
    public void Generalized_jsd_matches_the_closed_form(double beta)
    {
        using var scope = NewDisposeScope();
        double expected = MeanRows(Teacher, Student, (p, q) => Jsd(p, q, beta));
        Assert.Equal(expected, Value(LogitLosses.GeneralizedJsd(LogitsOf(Student), LogitsOf(Teacher), beta)), 12);
    }

    [Fact]
    public void Temperature_divides_both_logits_and_adds_no_t_squared()
    {
        using var scope = NewDisposeScope();
        // softmax(ln p / 2) ∝ √p: the closed form at T = 2.
        static double[] Sharpen(double[] p) { var r = p.Select(Math.Sqrt).ToArray(); var z = r.Sum(); return r.Select(x => x / z).ToArray(); }
        double expected = Enumerable.Range(0, 2).Average(i => Kl(Sharpen(Row(Teacher, i)), Sharpen(Row(Student, i))));
        Assert.Equal(expected, Value(LogitLosses.ForwardKl(LogitsOf(Student), LogitsOf(Teacher), temperature: 2.0)), 12);

        var s = Random(1, 4, 9);
        var t = Random(2, 4, 9);
        foreach (var temperature in new[] { 0.5, 2.0, 4.0 })
        {
            Assert.Equal(Value(LogitLosses.ForwardKl(s / temperature, t / temperature)), Value(LogitLosses.ForwardKl(s, t, temperature)), 12);
            Assert.Equal(Value(LogitLosses.ReverseKl(s / temperature, t / temperature)), Value(LogitLosses.ReverseKl(s, t, temperature)), 12);
            Assert.Equal(Value(LogitLosses.GeneralizedJsd(s / temperature, t / temperature, 0.4)), Value(LogitLosses.GeneralizedJsd(s, t, 0.4, temperature)), 12);
        }
    }

    [Fact]
    public void Kl_of_a_distribution_with_itself_is_zero()
    {
        using var scope = NewDisposeScope();
        var x = Random(3, 5, 11);
        Assert.Equal(0.0, Value(LogitLosses.ForwardKl(x, x)));
        Assert.Equal(0.0, Value(LogitLosses.ReverseKl(x, x.clone())));
        Assert.Equal(0.0, Value(LogitLosses.GeneralizedJsd(x, x, 0.5)), 14);
    }

    [Fact]
    public void Jsd_ends_are_exactly_forward_and_reverse_kl()
    {
        using var scope = NewDisposeScope();
        var s = Random(4, 3, 7);
        var t = Random(5, 3, 7);
        double forward = Value(LogitLosses.ForwardKl(s, t)), reverse = Value(LogitLosses.ReverseKl(s, t));
        Assert.True(Math.Abs(forward - reverse) > 1e-3, "the inputs must tell the two ends apart");
        Assert.Equal(forward, Value(LogitLosses.GeneralizedJsd(s, t, 0.0)));
        Assert.Equal(reverse, Value(LogitLosses.GeneralizedJsd(s, t, 1.0)));
    }

    [Fact]
    public void Symmetric_jsd_is_bounded_by_log_2()
    {
        using var scope = NewDisposeScope();
        for (int seed = 0; seed < 5; seed++)
        {
            double jsd = Value(LogitLosses.GeneralizedJsd(Random(seed, 4, 6, scale: 8), Random(seed + 100, 4, 6, scale: 8), 0.5));
            Assert.InRange(jsd, 0.0, Math.Log(2));
        }
        // Nearly disjoint supports approach the bound from below.
        var disjoint = LogitLosses.GeneralizedJsd(tensor(new double[,] { { 30, -30 } }), tensor(new double[,] { { -30, 30 } }), 0.5);
        Assert.InRange(Value(disjoint), Math.Log(2) - 1e-9, Math.Log(2));
    }

    [Fact]
    public void Tokens_both_models_rule_out_give_finite_losses_and_gradients()
    {
        using var scope = NewDisposeScope();
        // A padded vocabulary slot masked with −∞ in both models: p = q = 0 there, and 0·log 0 must stay 0.
        var sFinite = Random(6, 2, 4);
        var tFinite = Random(7, 2, 4);
        var ruledOut = full(new long[] { 2, 1 }, double.NegativeInfinity, dtype: ScalarType.Float64);
        var s = cat(new[] { sFinite, ruledOut }, 1);
        var t = cat(new[] { tFinite, ruledOut }, 1);
        Assert.Equal(Value(LogitLosses.ForwardKl(sFinite, tFinite)), Value(LogitLosses.ForwardKl(s, t)), 12);
        Assert.Equal(Value(LogitLosses.ReverseKl(sFinite, tFinite)), Value(LogitLosses.ReverseKl(s, t)), 12);
        Assert.Equal(Value(LogitLosses.GeneralizedJsd(sFinite, tFinite, 0.5)), Value(LogitLosses.GeneralizedJsd(s, t, 0.5)), 12);

        foreach (var loss in new Func<Tensor, Tensor>[]
                 {
                     x => LogitLosses.ForwardKl(x, t), x => LogitLosses.ReverseKl(x, t), x => LogitLosses.GeneralizedJsd(x, t, 0.5),
                 })
        {
            var x = s.clone().requires_grad_(true);
            loss(x).backward();
            Assert.All(x.grad!.data<double>().ToArray(), g => Assert.False(double.IsNaN(g)));
        }
    }

    [Fact]
    public void Half_precision_is_upcast_to_float32_and_float64_is_kept()
    {
        using var scope = NewDisposeScope();
        var s = Random(8, 3, 7);
        var t = Random(9, 3, 7);
        var reference = LogitLosses.ForwardKl(s, t);
        Assert.Equal(ScalarType.Float64, reference.dtype);
        var low = LogitLosses.ForwardKl(s.to(ScalarType.BFloat16), t.to(ScalarType.Float16));
        Assert.Equal(ScalarType.Float32, low.dtype);
        Assert.Equal(Value(reference), Value(low), 0.05); // bf16 rounds the logits to ~3 digits; the maths runs in float32
        Assert.Equal(ScalarType.Float32, LogitLosses.GeneralizedJsd(s.to(ScalarType.Float32), t.to(ScalarType.Float32), 0.5).dtype);
    }

    [Theory]
    [InlineData("forward", 1.0)]
    [InlineData("forward", 2.0)]
    [InlineData("reverse", 1.0)]
    [InlineData("reverse", 0.7)]
    [InlineData("jsd0.5", 1.0)]
    [InlineData("jsd0.3", 2.0)]
    [InlineData("jsd0", 1.0)]
    [InlineData("jsd1", 1.0)]
    public void Gradient_matches_finite_differences(string loss, double temperature)
    {
        using var scope = NewDisposeScope();
        var teacher = Random(10, 3, 7);
        Func<Tensor, Tensor> f = loss switch
        {
            "forward" => x => LogitLosses.ForwardKl(x, teacher, temperature),
            "reverse" => x => LogitLosses.ReverseKl(x, teacher, temperature),
            _ => x => LogitLosses.GeneralizedJsd(x, teacher, double.Parse(loss[3..], System.Globalization.CultureInfo.InvariantCulture), temperature),
        };
        GradientCheck.AssertMatchesFiniteDifferences(Random(11, 3, 7), f);
    }

    [Fact]
    public void Different_vocabulary_sizes_are_an_error_naming_both()
    {
        using var scope = NewDisposeScope();
        var s = Random(12, 2, 3);
        var t = Random(13, 2, 4);
        foreach (var call in new Func<Tensor>[]
                 {
                     () => LogitLosses.ForwardKl(s, t), () => LogitLosses.ReverseKl(s, t), () => LogitLosses.GeneralizedJsd(s, t, 0.5),
                     () => LogitLosses.GeneralizedJsd(s, t, 0.0),
                 })
        {
            var e = Assert.Throws<ArgumentException>(call);
            Assert.Contains("student vocabulary size 3", e.Message);
            Assert.Contains("teacher vocabulary size 4", e.Message);
        }
        Assert.Throws<ArgumentException>(() => LogitLosses.ForwardKl(Random(14, 2, 3), Random(15, 3, 3)));
        Assert.Throws<ArgumentException>(() => LogitLosses.ForwardKl(Random(14, 2, 3).reshape(1, 2, 3), Random(15, 2, 3).reshape(1, 2, 3)));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void Beta_outside_unit_interval_is_rejected(double beta)
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitLosses.GeneralizedJsd(Random(16, 2, 3), Random(17, 2, 3), beta));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_positive_temperature_is_rejected(double temperature)
    {
        using var scope = NewDisposeScope();
        var s = Random(18, 2, 3);
        var t = Random(19, 2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitLosses.ForwardKl(s, t, temperature));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitLosses.ReverseKl(s, t, temperature));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitLosses.GeneralizedJsd(s, t, 0.5, temperature));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitLosses.GeneralizedJsd(s, t, 0.0, temperature));
    }
}
