using Avocado.Training;
using Avocado.Training.TeacherSignals;

namespace Avocado.Training.Tests;

public class TeacherWeightsTests
{
    static readonly TeacherSignal[] Teachers =
    [
        new(1.0, ["add"], CrossEntropyPerByte: 0.2, MeanEntropy: 0.5),
        new(1.0, ["sub"], CrossEntropyPerByte: 0.9, MeanEntropy: 2.0),
        new(2.0, [], CrossEntropyPerByte: 0.4, MeanEntropy: 1.0),
    ];

    [Fact]
    public void Fixed_weights_are_normalised()
    {
        Assert.Equal([0.25, 0.25, 0.5], TeacherWeights.Compute(WeightingMethod.Fixed, 1, Teachers, "add"));
    }

    [Fact]
    public void Skill_routing_sends_an_example_to_its_specialists_and_falls_back_to_everyone()
    {
        Assert.Equal([1.0, 0, 0], TeacherWeights.Compute(WeightingMethod.Skill, 1, Teachers, "add"));
        Assert.Equal([0, 1.0, 0], TeacherWeights.Compute(WeightingMethod.Skill, 1, Teachers, "sub"));
        Assert.Equal([0.25, 0.25, 0.5], TeacherWeights.Compute(WeightingMethod.Skill, 1, Teachers, "logic"));
        Assert.Equal([0.25, 0.25, 0.5], TeacherWeights.Compute(WeightingMethod.Skill, 1, Teachers, null));
    }

    [Fact]
    public void Min_ce_picks_the_teacher_that_best_predicts_the_reference()
    {
        Assert.Equal([1.0, 0, 0], TeacherWeights.Compute(WeightingMethod.MinCe, 1, Teachers, null));
        var zeroWeightBest = Teachers.Select((t, i) => i == 0 ? t with { FixedWeight = 0 } : t).ToArray();
        Assert.Equal([0, 0, 1.0], TeacherWeights.Compute(WeightingMethod.MinCe, 1, zeroWeightBest, null));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.25)]
    public void Avg_ce_and_entropy_weights_are_a_softmax_of_minus_the_score_over_tau_times_the_fixed_weight(double tau)
    {
        static double[] Expected(Func<TeacherSignal, double> score, double tau)
        {
            var raw = Teachers.Select(t => t.FixedWeight * Math.Exp(-score(t) / tau)).ToArray();
            return raw.Select(r => r / raw.Sum()).ToArray();
        }
        var avg = TeacherWeights.Compute(WeightingMethod.AvgCe, tau, Teachers, null);
        var ent = TeacherWeights.Compute(WeightingMethod.Entropy, tau, Teachers, null);
        var expectedAvg = Expected(t => t.CrossEntropyPerByte, tau);
        var expectedEnt = Expected(t => t.MeanEntropy, tau);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expectedAvg[i], avg[i], 12);
            Assert.Equal(expectedEnt[i], ent[i], 12);
        }
        Assert.True(ent[0] > ent[1] && avg[0] > avg[1], "with equal fixed weights, the more confident / better-predicting teacher weighs more");
    }

    [Fact]
    public void Every_method_has_a_printable_formula()
    {
        foreach (var m in Enum.GetValues<WeightingMethod>())
            Assert.Contains("w_t", TeacherWeights.Formula(m, 0.5));
        Assert.Contains("τ = 0.5", TeacherWeights.Formula(WeightingMethod.AvgCe, 0.5));
    }
}
