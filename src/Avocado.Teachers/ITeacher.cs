namespace Avocado.Teachers;

/// <summary>
/// A model that answers conversations for distillation: in-process (<see cref="InProcessTeacher"/>), behind an
/// OpenAI-compatible endpoint (<see cref="OpenAiTeacher"/>), or either behind the response cache
/// (<see cref="CachedTeacher"/>). Implementations are safe to call concurrently.
/// </summary>
public interface ITeacher
{
    /// <summary>Unique, stable name (part of every cache key and of each example's provenance).</summary>
    string Name { get; }
    /// <summary>"qwen3", "gemma3" or "gpt-oss".</summary>
    string Family { get; }
    /// <summary>The weights' version (a Hugging Face commit, a checkpoint hash); part of every cache key.</summary>
    string Revision { get; }
    /// <summary>The license the teacher's outputs carry (see <see cref="TeacherFamilies.DefaultLicense"/>).</summary>
    string License { get; }

    /// <summary>Generates one reply.</summary>
    /// <exception cref="ArgumentException">The request is invalid (<see cref="TeacherRequest.Validate"/>).</exception>
    /// <exception cref="TeacherRequestException">The teacher rejected this request; retrying it cannot help.</exception>
    /// <exception cref="TeacherUnavailableException">The teacher could not serve it (retries exhausted, circuit open).</exception>
    Task<TeacherReply> GenerateAsync(TeacherRequest request, CancellationToken ct);

    /// <summary>The prompt as this teacher sees it: <see cref="TeacherReply.PromptHash"/> and the cache key hash it.
    /// The default is the canonical request JSON (<see cref="TeacherPrompt.CanonicalJson"/>).</summary>
    string RenderPrompt(TeacherRequest request) => TeacherPrompt.CanonicalJson(request);
}
