using Avocado.Data.Prompts;

namespace Avocado.Traces.Decontamination;

/// <summary>
/// Drops training prompts that share word n-grams with evaluation items (<see cref="DecontaminationOptions"/>).
/// Every n-gram of every eval item is hashed to 64 bits once, into a table mapping hash → first eval item that holds
/// it; a prompt then costs one lookup per word window, so tens of thousands of prompts take about a second.
/// (A 64-bit hash collision between two different 13-grams is about 1 in 10^12 at these sizes.) When several eval
/// items share an n-gram, the overlap is credited to the first of them. Thread-safe once built.
/// </summary>
public sealed class Decontaminator
{
    private readonly Dictionary<ulong, int> _firstItemOf = [];
    private readonly List<EvalItem> _items;
    private readonly int[] _windowLengths; // N, then the lengths of short eval items matched whole

    public Decontaminator(IEnumerable<EvalItem> evalItems, DecontaminationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(evalItems);
        Options = options ?? DecontaminationOptions.Default;
        Options.Validate();
        _items = evalItems.ToList();
        var shortLengths = new SortedSet<int>();
        for (int index = 0; index < _items.Count; index++)
        {
            var item = _items[index] ?? throw new ArgumentException($"evalItems[{index}] is null", nameof(evalItems));
            var words = NGramText.Split(item.Text ?? "");
            if (words.WordCount >= Options.N)
            {
                for (int start = 0; start + Options.N <= words.WordCount; start++)
                    _firstItemOf.TryAdd(words.NGramHash(start, Options.N), index);
            }
            else if (words.WordCount >= Options.MinimumWords)
            {
                _firstItemOf.TryAdd(words.NGramHash(0, words.WordCount), index);
                shortLengths.Add(words.WordCount);
            }
            else EvalItemsTooShort++;
        }
        _windowLengths = [Options.N, .. shortLengths];
    }

    public DecontaminationOptions Options { get; }

    public int EvalItemCount => _items.Count;

    /// <summary>Eval items with fewer than <see cref="DecontaminationOptions.MinimumWords"/> words (never matched).</summary>
    public int EvalItemsTooShort { get; }

    /// <summary>Distinct n-grams indexed.</summary>
    public int NGramCount => _firstItemOf.Count;

    /// <summary>The eval item the text overlaps most, or null when it overlaps none.</summary>
    public (EvalItem Item, string NGram, int Count)? FindOverlap(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = NGramText.Split(text);
        Dictionary<int, (int Count, int Start, int Length)>? hits = null;
        foreach (int length in _windowLengths)
        {
            for (int start = 0; start + length <= words.WordCount; start++)
            {
                if (!_firstItemOf.TryGetValue(words.NGramHash(start, length), out int index)) continue;
                hits ??= [];
                hits[index] = hits.TryGetValue(index, out var h) ? h with { Count = h.Count + 1 } : (1, start, length);
            }
        }
        if (hits is null) return null;
        var (best, found) = hits.OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Key).First();
        return (_items[best], words.Quote(found.Start, found.Length), found.Count);
    }

    /// <summary>Splits prompts into kept and dropped (input order kept) and reports every overlap that dropped one.</summary>
    public DecontaminationResult Filter(IReadOnlyList<PromptItem> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        for (int i = 0; i < prompts.Count; i++)
            if (prompts[i] is null) throw new ArgumentException($"prompts[{i}] is null", nameof(prompts));
        var hitsPerPrompt = new List<ContaminationHit>[prompts.Count];
        Parallel.For(0, prompts.Count, i => hitsPerPrompt[i] = Check(prompts[i]));

        var kept = new List<PromptItem>();
        var dropped = new List<PromptItem>();
        var allHits = new List<ContaminationHit>();
        for (int i = 0; i < prompts.Count; i++)
        {
            if (hitsPerPrompt[i].Count == 0)
            {
                kept.Add(prompts[i]);
                continue;
            }
            dropped.Add(prompts[i]);
            allHits.AddRange(hitsPerPrompt[i]);
        }
        var report = new DecontaminationReport(Options.N, prompts.Count, dropped.Count, _items.Count, EvalItemsTooShort, allHits);
        return new DecontaminationResult(kept, dropped, report);
    }

    private List<ContaminationHit> Check(PromptItem prompt)
    {
        var hits = new List<ContaminationHit>();
        Add("prompt", prompt.PromptText);
        if (Options.CheckReferenceAnswers && prompt.ReferenceAnswer is { } reference) Add("reference", reference);
        return hits;

        void Add(string field, string text)
        {
            if (FindOverlap(text) is { } overlap && overlap.Count >= Options.MinimumOverlaps)
                hits.Add(new ContaminationHit(prompt.Id, field, overlap.Item.Set, overlap.Item.Id, overlap.NGram, overlap.Count));
        }
    }
}
