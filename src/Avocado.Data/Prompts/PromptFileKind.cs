namespace Avocado.Data.Prompts;

/// <summary>The record layouts <see cref="PromptReader"/> reads; every one is JSONL (one JSON object per line).</summary>
public enum PromptFileKind
{
    /// <summary>
    /// Decided by the file's first record: "messages" or "prompt" → <see cref="Jsonl"/>, "question" →
    /// <see cref="Gsm8k"/>, "problem" → <see cref="Math"/>. The rest of the file must follow the same layout.
    /// </summary>
    Auto,

    /// <summary>
    /// "messages" (OpenAI-style array) or "prompt" (a string, one user turn); optional "id", "reference" (or
    /// "answer": a short answer, or a worked solution ending in <c>#### x</c> or holding <c>\boxed{x}</c>),
    /// "skill" (or "domain"), "language" (or "lang"), "source".
    /// </summary>
    Jsonl,

    /// <summary>GSM8K: "question" and "answer", the answer ending in a line <c>#### 42</c>; skill "math" unless given.</summary>
    Gsm8k,

    /// <summary>
    /// MATH: "problem" and "solution" with a <c>\boxed{…}</c> answer, or a short "answer" field (MATH-500), which
    /// wins when both are given; "unique_id" serves as the id when there is no "id"; skill "math" unless given.
    /// </summary>
    Math,
}
