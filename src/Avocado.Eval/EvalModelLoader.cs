using Avocado.Inference;
using System.Net.Sockets;
using Avocado.Teachers;

namespace Avocado.Eval;

/// <summary>Settings for turning <see cref="EvalModelSpec"/>s into teachers.</summary>
public sealed record EvalModelLoadOptions
{
    /// <summary>Environment variable holding the endpoints' API key (sent when set).</summary>
    public const string ApiKeyVariable = "AVOCADO_EVAL_API_KEY";

    /// <summary>Requests one model serves at once: an in-process model's batch size, an endpoint's connections.</summary>
    public int Concurrency { get; init; } = 4;
    /// <summary>How long an endpoint's host may take to accept a connection before it counts as unreachable.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>The teachers of one evaluation; disposing the set disposes them (and frees in-process models).</summary>
public sealed class EvalModelSet(IReadOnlyList<EvalModel> models) : IDisposable
{
    public IReadOnlyList<EvalModel> Models { get; } = models;

    public void Dispose()
    {
        foreach (var m in Models) (m.Teacher as IDisposable)?.Dispose();
    }
}

/// <summary>
/// Loads checkpoints as <see cref="InProcessTeacher"/>s and connects endpoints as <see cref="OpenAiTeacher"/>s,
/// failing before any question is asked when one cannot be used: the error names the model. Endpoints get a TCP
/// connect first, because the teacher's own retries would take minutes to give up on a server that is not there.
/// </summary>
public static class EvalModelLoader
{
    public static async Task<EvalModelSet> LoadAsync(IReadOnlyList<EvalModelSpec> specs, EvalModelLoadOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(specs);
        options ??= new EvalModelLoadOptions();
        if (specs.Count == 0) throw new EvalException($"no models to evaluate; give at least one --model {EvalModelSpec.Syntax}");
        if (specs.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new EvalException($"model name '{twice.Key}' is given twice; names label the report's rows, so give each model its own");
        var models = new List<EvalModel>();
        try
        {
            foreach (var spec in specs)
                models.Add(new EvalModel(spec.Name, spec.IsEndpoint ? await ConnectAsync(spec, options, ct).ConfigureAwait(false) : Load(spec, options)));
            return new EvalModelSet(models);
        }
        catch
        {
            new EvalModelSet(models).Dispose();
            throw;
        }
    }

    static InProcessTeacher Load(EvalModelSpec spec, EvalModelLoadOptions options)
    {
        var dir = spec.CheckpointDir!;
        if (!Directory.Exists(dir))
            throw new EvalException($"model '{spec.Name}': checkpoint directory '{dir}' does not exist (give NAME=DIR of a Hugging Face layout checkpoint, or NAME=http(s)://… for an endpoint)");
        if (!File.Exists(Path.Combine(dir, "config.json")))
            throw new EvalException($"model '{spec.Name}': '{dir}' holds no config.json, so it is not a checkpoint directory (Hugging Face layout: config.json, *.safetensors, tokenizer.json)");
        try
        {
            // No fingerprint: eval keeps no cache, and hashing reads every weight file once.
            return InProcessTeacher.Load(dir, new InProcessTeacherOptions
            {
                Name = spec.Name,
                Revision = "dir:" + Path.GetFullPath(dir),
                MaxBatch = options.Concurrency,
            });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new EvalException($"model '{spec.Name}': cannot load the checkpoint in '{dir}': {e.Message}", e);
        }
    }

    static async Task<OpenAiTeacher> ConnectAsync(EvalModelSpec spec, EvalModelLoadOptions options, CancellationToken ct)
    {
        var endpoint = spec.Endpoint!;
        using (var client = new TcpClient())
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(options.ConnectTimeout);
            try
            {
                await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                var why = e is SocketException s ? s.Message : $"no connection within {options.ConnectTimeout.TotalSeconds:0.#} s";
                throw new EvalException($"model '{spec.Name}': cannot reach {endpoint} ({endpoint.Host}:{endpoint.Port}: {why}); "
                                        + "is the server up, and is the URL right (the API base, e.g. http://127.0.0.1:8000/v1)?", e);
            }
        }
        try
        {
            return new OpenAiTeacher(new OpenAiTeacherOptions
            {
                Name = spec.Name,
                Family = GuessFamily(spec.EndpointModel!),
                Endpoint = endpoint,
                Model = spec.EndpointModel!,
                ApiKey = Environment.GetEnvironmentVariable(EvalModelLoadOptions.ApiKeyVariable) is { Length: > 0 } key ? key : null,
                MaxConcurrency = options.Concurrency,
            });
        }
        catch (ArgumentException e)
        {
            throw new EvalException($"model '{spec.Name}': {e.Message}", e);
        }
    }

    /// <summary>The family an endpoint's replies are parsed as (it only decides how reasoning without a reasoning
    /// field is found): from the served model's name, Qwen3's think tags otherwise.</summary>
    public static string GuessFamily(string model)
    {
        var m = model.ToLowerInvariant();
        if (m.Contains("gemma", StringComparison.Ordinal)) return TeacherFamilies.Gemma3;
        if (m.Contains("gpt-oss", StringComparison.Ordinal) || m.Contains("gpt_oss", StringComparison.Ordinal) || m.Contains("gptoss", StringComparison.Ordinal))
            return TeacherFamilies.GptOss;
        return TeacherFamilies.Qwen3;
    }
}
