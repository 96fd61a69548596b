using System.Text.Json;
using Avocado.Data.Prompts;

namespace Avocado.Traces.Decontamination;

/// <summary>
/// A dropped prompt's overlap: which prompt and which of its fields ("prompt" or "reference"), the eval item it
/// overlaps most (set and id), one overlapping n-gram as normalised words, and how many of the field's n-grams
/// occur in that eval item.
/// </summary>
public sealed record ContaminationHit(string PromptId, string Field, string EvalSet, string EvalItemId, string OverlappingNGram, int OverlapCount);

/// <summary>What a decontamination pass checked and dropped, with one <see cref="ContaminationHit"/> per overlapping field.</summary>
public sealed record DecontaminationReport(
    int N,
    int PromptsChecked,
    int PromptsDropped,
    int EvalItems,
    int EvalItemsTooShort,
    IReadOnlyList<ContaminationHit> Hits)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Writes a summary line ({"type": "summary", …}) and then one line per hit ({"type": "hit", …}).</summary>
    public void WriteJsonl(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(JsonSerializer.Serialize(new
        {
            type = "summary",
            n = N,
            prompts_checked = PromptsChecked,
            prompts_dropped = PromptsDropped,
            eval_items = EvalItems,
            eval_items_too_short = EvalItemsTooShort,
        }));
        foreach (var hit in Hits)
        {
            var line = JsonSerializer.SerializeToNode(hit, Json)!.AsObject();
            line.Insert(0, "type", "hit");
            writer.WriteLine(line.ToJsonString());
        }
    }

    public void WriteJsonl(string path)
    {
        using var writer = new StreamWriter(path);
        WriteJsonl(writer);
    }
}

/// <summary>The prompts kept and dropped (each in input order), and the report.</summary>
public sealed record DecontaminationResult(IReadOnlyList<PromptItem> Kept, IReadOnlyList<PromptItem> Dropped, DecontaminationReport Report);
