using System.Globalization;

namespace Avocado.Bench.Train;

/// <summary>Command-line options; every value has a default sized for a 2-core machine (a run of a few minutes).</summary>
public sealed record TrainBenchOptions
{
    public int Steps { get; init; } = 12;
    /// <summary>Timed steps between matmul-peak measurements (each stop checkpoints; the loop clock excludes it).</summary>
    public int Segment { get; init; } = 4;
    public int Warmup { get; init; } = 2;
    public int Hidden { get; init; } = 384;
    public int Layers { get; init; } = 6;
    public int? Heads { get; init; }
    public int? KvHeads { get; init; }
    public int? Intermediate { get; init; }
    public int SeqLen { get; init; } = 256;
    public int Batch { get; init; } = 8;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public bool Breakdown { get; init; }

    public const int HeadDim = 64;
    public int HeadCount => Heads ?? Math.Max(1, Hidden / HeadDim);
    public int KvHeadCount => KvHeads ?? HeadCount;
    public int IntermediateSize => Intermediate ?? 4 * Hidden;

    public const string Usage =
        "usage: Avocado.Bench.Train [--steps N] [--warmup W] [--segment S] [--hidden C] [--layers L] [--heads H] [--kv-heads K] " +
        "[--intermediate I] [--seq-len T] [--batch B] [--threads N] [--breakdown]";

    /// <summary>Null (after printing why) when the arguments are not understood.</summary>
    public static TrainBenchOptions? Parse(string[] args)
    {
        var o = new TrainBenchOptions();
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                int Next() => int.Parse(args[++i], CultureInfo.InvariantCulture);
                o = args[i] switch
                {
                    "--steps" => o with { Steps = Next() },
                    "--warmup" => o with { Warmup = Next() },
                    "--segment" => o with { Segment = Next() },
                    "--hidden" => o with { Hidden = Next() },
                    "--layers" => o with { Layers = Next() },
                    "--heads" => o with { Heads = Next() },
                    "--kv-heads" => o with { KvHeads = Next() },
                    "--intermediate" => o with { Intermediate = Next() },
                    "--seq-len" => o with { SeqLen = Next() },
                    "--batch" => o with { Batch = Next() },
                    "--threads" => o with { Threads = Next() },
                    "--breakdown" => o with { Breakdown = true },
                    var a => throw new FormatException($"unknown option {a}"),
                };
            }
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return null;
        }
        if (o.Steps < 1 || o.Warmup < 1 || o.Segment < 1 || o.Hidden < 64 || o.Layers < 1 || o.SeqLen < 64 || o.Batch < 1 || o.Threads < 1
            || o.HeadCount % o.KvHeadCount != 0)
        {
            Console.Error.WriteLine("error: need steps ≥ 1, warmup ≥ 1, segment ≥ 1, hidden ≥ 64, layers ≥ 1, seq-len ≥ 64, batch ≥ 1, threads ≥ 1, heads divisible by kv-heads");
            Console.Error.WriteLine(Usage);
            return null;
        }
        return o;
    }

    /// <summary>The command that reproduces this run.</summary>
    public string Command()
    {
        var parts = new List<string>
        {
            "dotnet run -c Release --project bench/Avocado.Bench.Train --",
            $"--steps {Steps} --warmup {Warmup} --segment {Segment} --hidden {Hidden} --layers {Layers}",
        };
        if (Heads is { } h) parts.Add($"--heads {h}");
        if (KvHeads is { } k) parts.Add($"--kv-heads {k}");
        if (Intermediate is { } m) parts.Add($"--intermediate {m}");
        parts.Add($"--seq-len {SeqLen} --batch {Batch} --threads {Threads}");
        if (Breakdown) parts.Add("--breakdown");
        return string.Join(" ", parts);
    }
}
