using System.Text;

namespace Avocado.Charts;

/// <summary>
/// Turns a training metrics JSONL file (see <see cref="MetricsSeries"/>) into PNG charts against the step:
/// loss.png (every "loss" and "loss/…" key), lr.png, grad_norm.png, one eval_&lt;name&gt;.png per "eval/…" key,
/// and, so that every numeric key except step and tokens is plotted somewhere, one &lt;prefix&gt;.png for each other
/// key prefix (the part before the first '/', or the whole key).
/// </summary>
public static class MetricsPlotter
{
    /// <summary>A chart to write: its file name and the metric keys it shows.</summary>
    public sealed record PlotGroup(string FileName, string Title, IReadOnlyList<string> Keys);

    /// <summary>Writes the charts into outDir (created when missing); returns the full paths written, in
    /// <see cref="Groups"/> order. A file with no metrics writes nothing.</summary>
    public static IReadOnlyList<string> WriteLossPlots(string metricsJsonlPath, string outDir, int width = ChartFile.DefaultWidth, int height = ChartFile.DefaultHeight)
    {
        if (!File.Exists(metricsJsonlPath))
            throw new FileNotFoundException($"metrics file {metricsJsonlPath} does not exist; the trainer writes it as metrics.jsonl in its output folder", metricsJsonlPath);
        var log = MetricsSeries.Read(metricsJsonlPath);
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        foreach (var group in Groups(log.Keys))
        {
            string path = Path.GetFullPath(Path.Combine(outDir, group.FileName));
            BuildChart(log, group).WritePng(path, width, height);
            written.Add(path);
        }
        return written;
    }

    /// <summary>Which keys go on which chart (a function of the key names only, so it is testable without files).</summary>
    public static IReadOnlyList<PlotGroup> Groups(IEnumerable<string> keys)
    {
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (string key in keys)
        {
            if (MetricsSeries.AxisKeys.Contains(key)) continue;
            int slash = key.IndexOf('/');
            string prefix = slash < 0 ? key : key[..slash];
            // Eval metrics have different scales and meanings (accuracy vs. loss), so each gets its own chart.
            string name = prefix == "eval" && slash >= 0 ? "eval_" + key[(slash + 1)..] : prefix;
            if (!byName.TryGetValue(name, out var list))
            {
                byName[name] = list = [];
                order.Add(name);
            }
            list.Add(key);
        }
        // loss, lr and grad_norm first (the charts one looks at first), then the rest in order of appearance.
        string[] first = ["loss", "lr", "grad_norm"];
        var names = first.Where(byName.ContainsKey).Concat(order.Where(n => !first.Contains(n))).ToList();
        var files = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var groups = new List<PlotGroup>();
        foreach (string name in names)
        {
            // Two names that sanitize alike (eval/a b, eval/a_b) must not overwrite each other's file.
            string stem = SafeFileStem(name), file = stem + ".png";
            for (int n = 2; !files.Add(file); n++) file = $"{stem}_{n}.png";
            var list = byName[name];
            string title = list.Count == 1 ? list[0] : name;
            groups.Add(new PlotGroup(file, title, list));
        }
        return groups;
    }

    private static LineChart BuildChart(MetricsSeries log, PlotGroup group)
    {
        var values = group.Keys.SelectMany(k => log[k]).Select(p => p.Value).Where(double.IsFinite).ToList();
        bool isEval = group.FileName.StartsWith("eval_", StringComparison.Ordinal);
        // Accuracy-like eval metrics (all within [0, 1]) read best on a fixed 0..1 axis, comparable across runs.
        bool unitRange = isEval && values.Count > 0 && values.All(v => v is >= 0 and <= 1);
        // Loss curves that fall over more than a decade are flat lines on a linear axis after the first steps.
        bool logLoss = group.FileName == "loss.png" && values.Count > 0 && values.All(v => v > 0) && values.Max() / values.Min() >= 10;
        var chart = new LineChart
        {
            Title = group.Title,
            XLabel = "step",
            YLabel = group.Keys.Count == 1 ? group.Keys[0] : group.Title,
            LogY = logLoss,
            YMin = unitRange ? 0 : null,
            YMax = unitRange ? 1 : null,
        };
        foreach (string key in group.Keys) chart.AddSeries(key, log[key]);
        return chart;
    }

    private static string SafeFileStem(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_');
        string stem = sb.ToString().Trim('.');
        return stem.Length == 0 ? "metric" : stem;
    }
}
