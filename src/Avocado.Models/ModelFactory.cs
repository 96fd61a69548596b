using Avocado.Models.Architectures;
using Avocado.Models.Config;
using Avocado.Models.Layers;

namespace Avocado.Models;

/// <summary>Builds the module tree for a config, parameters uninitialised (see <see cref="TensorFactory"/>).</summary>
public static class ModelFactory
{
    public static CausalLM Create(ModelConfig config, TensorFactory f) => config switch
    {
        Qwen3Config c => new Qwen3ForCausalLM(c, f),
        Gemma3Config { Vision: not null } c => new Gemma3ForConditionalGeneration(c, f),
        Gemma3Config c => new Gemma3ForCausalLM(c, f),
        GptOssConfig c => new GptOssForCausalLM(c, f),
        _ => throw new ConfigException($"no architecture for model_type '{config.ModelType}'"),
    };

    public static readonly IReadOnlyList<string> Families = ["qwen3", "gemma3", "gpt-oss"];

    /// <summary>Families that see, for <c>model init</c> (their checkpoints load by config like any other).</summary>
    public static readonly IReadOnlyList<string> SeeingFamilies = ["gemma3-vision"];
}
