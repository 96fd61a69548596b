using System.Text.RegularExpressions;

namespace Avocado.Models.Checkpoints;

/// <summary>The file names Hugging Face transformers uses for safetensors checkpoints, shared by the reader and the writer.</summary>
internal static partial class CheckpointFiles
{
    public const string SingleFile = "model.safetensors";

    public const string Index = "model.safetensors.index.json";

    public static string ShardName(int number, int count) => $"model-{number:D5}-of-{count:D5}.safetensors";

    /// <summary>Only names this layout produces, so a rewrite never deletes a user's other files (model_ema.safetensors, say).</summary>
    public static bool IsShardName(string fileName) => ShardPattern().IsMatch(fileName);

    [GeneratedRegex(@"^model-\d{5,}-of-\d{5,}\.safetensors$", RegexOptions.CultureInvariant)]
    private static partial Regex ShardPattern();
}
