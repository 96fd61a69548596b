using System.Threading.Channels;
using Avocado.Models.Generation;

namespace Avocado.Inference;

/// <summary>A request the engine refused or could not finish; the message says why.</summary>
public sealed class GenerationException(string message) : Exception(message);

/// <summary>Whole-sequence results from the engine's event streams, for callers that do not stream (teachers, eval,
/// tests) or stream through a callback (the CLI).</summary>
public static class EngineCompletion
{
    /// <summary>Generates one sequence. Cancellation of the request ends it early with <see cref="FinishReason.Cancelled"/>.</summary>
    /// <exception cref="GenerationException">The engine refused the request or the model failed on it.</exception>
    public static Task<GeneratedSequence> CompleteAsync(this InferenceEngine engine, EngineRequest request, Action<GeneratedToken>? onToken = null)
    {
        var result = engine.Submit(request, out var events);
        return result == SubmitResult.Accepted ? Collect(events, onToken) : Task.FromException<GeneratedSequence>(Refused(result));
    }

    /// <summary>Generates sequences as one group (<see cref="InferenceEngine.SubmitGroup"/>): the results depend on these
    /// requests alone, not on what else the engine is running.</summary>
    public static IReadOnlyList<Task<GeneratedSequence>> CompleteTogether(this InferenceEngine engine, IReadOnlyList<EngineRequest> requests)
    {
        var result = engine.SubmitGroup(requests, out var events);
        if (result != SubmitResult.Accepted)
            return [.. requests.Select(_ => Task.FromException<GeneratedSequence>(Refused(result)))];
        return [.. events.Select(e => Collect(e, null))];
    }

    static GenerationException Refused(SubmitResult result) => new(result switch
    {
        SubmitResult.QueueFull => "the engine's queue is full; retry shortly",
        SubmitResult.PromptTooLong => "prompt plus max new tokens exceed the engine's context",
        SubmitResult.InvalidPrompt => "the prompt is empty or holds a token id outside the model's vocabulary",
        SubmitResult.ShuttingDown => "the engine is shutting down",
        _ => result.ToString(),
    });

    static async Task<GeneratedSequence> Collect(ChannelReader<EngineEvent> events, Action<GeneratedToken>? onToken)
    {
        var tokens = new List<GeneratedToken>();
        await foreach (var e in events.ReadAllAsync().ConfigureAwait(false))
        {
            if (e is TokenGenerated t)
            {
                tokens.Add(t.Token);
                onToken?.Invoke(t.Token);
            }
            else if (e is GenerationCompleted done)
            {
                if (done.Error is { } error) throw new GenerationException(error);
                return new GeneratedSequence(tokens, done.Finish);
            }
        }
        throw new GenerationException("the engine is shutting down");
    }
}
