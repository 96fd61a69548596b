using System.Text.Json;

namespace Avocado.Models.Checkpoints;

/// <summary>
/// The <c>weight_map</c> of a sharded checkpoint's index (<c>{"metadata":{...},"weight_map":{tensor:file}}</c>),
/// in the order the index lists it.
/// </summary>
internal static class ShardIndex
{
    public static IReadOnlyList<KeyValuePair<string, string>> ReadWeightMap(string indexPath)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(indexPath, $"index is not valid JSON: {e.Message}", innerException: e);
        }
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("weight_map", out var weightMap)
                || weightMap.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(indexPath, "index is not a JSON object with a 'weight_map' object");
            }
            var entries = new List<KeyValuePair<string, string>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in weightMap.EnumerateObject())
            {
                if (!seen.Add(item.Name))
                {
                    throw new CheckpointFormatException(indexPath, "appears twice in weight_map", item.Name);
                }
                var file = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : "";
                // Shards sit beside the index; a path here could reach outside the checkpoint directory.
                if (file.Length == 0 || System.IO.Path.GetFileName(file) != file)
                {
                    throw new CheckpointFormatException(indexPath, $"weight_map value {item.Value.GetRawText()} is not a shard file name", item.Name);
                }
                entries.Add(new(item.Name, file));
            }
            return entries;
        }
    }
}
