using Avocado.Data.Prompts;

namespace Avocado.Traces.Decontamination;

/// <summary>One item of an evaluation set that training prompts must not overlap: the set's name, the item's id and its text.</summary>
public sealed record EvalItem(string Set, string Id, string Text)
{
    /// <summary>An eval item from a prompt read with <see cref="PromptReader"/> (its messages, and its reference answer when asked).</summary>
    public static EvalItem FromPrompt(string set, PromptItem item, bool includeReference = false)
    {
        ArgumentNullException.ThrowIfNull(item);
        var text = includeReference && item.ReferenceAnswer is { } reference ? item.PromptText + "\n" + reference : item.PromptText;
        return new EvalItem(set, item.Id, text);
    }
}
