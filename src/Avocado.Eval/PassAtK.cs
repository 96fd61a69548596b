namespace Avocado.Eval;

/// <summary>
/// The unbiased pass@k estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on Code", eq. 1):
/// with n samples of which c are correct, the chance that k samples drawn without replacement hold at least one
/// correct one is <c>1 − C(n−c, k) / C(n, k)</c>.
/// </summary>
public static class PassAtK
{
    /// <summary>pass@k for one prompt. Computed as <c>1 − Π_{i=n−c+1..n} (1 − k/i)</c>, the paper's product form:
    /// the binomials overflow doubles from n ≈ 1000 on, the product never does.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 0 ≤ c ≤ n and 1 ≤ k ≤ n.</exception>
    public static double Estimate(int n, int c, int k)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "pass@k needs at least one sample (n ≥ 1)");
        if (c < 0 || c > n) throw new ArgumentOutOfRangeException(nameof(c), c, $"the correct samples c must be in [0, n = {n}]");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, n = {n}]: pass@k needs at least k samples");
        // Fewer than k wrong samples: every k-subset holds a correct one.
        if (n - c < k) return 1.0;
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++) allWrong *= 1.0 - (double)k / i;
        return 1.0 - allWrong;
    }
}
