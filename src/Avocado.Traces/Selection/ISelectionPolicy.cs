using Avocado.Data.Prompts;

namespace Avocado.Traces.Selection;

/// <summary>
/// Chooses which teacher replies to one prompt go into the distillation set. Implementations are deterministic:
/// the same candidates in any order give the same result.
/// </summary>
public interface ISelectionPolicy
{
    /// <summary>The policy's name as recorded in results ("all-verified", "majority-vote", …).</summary>
    string Name { get; }

    SelectionResult Select(PromptItem prompt, IReadOnlyList<Candidate> candidates);
}
