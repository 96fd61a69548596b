namespace Avocado.Eval;

/// <summary>
/// A model as the command line names it: <c>NAME=DIR</c> (an in-process checkpoint in Hugging Face layout) or
/// <c>NAME=URL[#MODEL]</c> (an OpenAI-compatible endpoint such as <c>http://127.0.0.1:8000/v1</c>; the served model
/// name is MODEL, default NAME).
/// </summary>
public sealed record EvalModelSpec
{
    public const string Syntax = "NAME=DIR or NAME=URL[#MODEL]";

    public required string Name { get; init; }
    /// <summary>Set for a checkpoint.</summary>
    public string? CheckpointDir { get; init; }
    /// <summary>Set for an endpoint (the API base, without the #MODEL part).</summary>
    public Uri? Endpoint { get; init; }
    /// <summary>The <c>model</c> field sent to the endpoint.</summary>
    public string? EndpointModel { get; init; }

    public bool IsEndpoint => Endpoint is not null;

    /// <exception cref="EvalException">Not of the form <see cref="Syntax"/>; the message quotes the spec.</exception>
    public static EvalModelSpec Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int eq = spec.IndexOf('=');
        if (eq <= 0 || eq == spec.Length - 1 || string.IsNullOrWhiteSpace(spec[..eq]))
            throw new EvalException($"--model '{spec}': expected {Syntax} (e.g. student=runs/student or qwen=http://127.0.0.1:8000/v1#Qwen/Qwen3-8B)");
        var name = spec[..eq].Trim();
        var value = spec[(eq + 1)..].Trim();
        if (!value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return new EvalModelSpec { Name = name, CheckpointDir = value };

        int hash = value.IndexOf('#');
        var url = hash >= 0 ? value[..hash] : value;
        var model = hash >= 0 ? value[(hash + 1)..].Trim() : name;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var endpoint) || string.IsNullOrEmpty(endpoint.Host))
            throw new EvalException($"--model '{spec}': '{url}' is not a valid URL; expected e.g. {name}=http://127.0.0.1:8000/v1");
        if (model.Length == 0) throw new EvalException($"--model '{spec}': nothing after '#'; give the served model's name (NAME=URL#MODEL) or leave out the '#'");
        return new EvalModelSpec { Name = name, Endpoint = endpoint, EndpointModel = model };
    }

    public override string ToString() => IsEndpoint ? $"{Name}={Endpoint}#{EndpointModel}" : $"{Name}={CheckpointDir}";
}
