namespace Avocado.Text.Chat;

/// <summary>What the families' processors do to a rendered prompt before tokenization: each image marker the chat
/// template wrote becomes the run of placeholder tokens the vision features replace.</summary>
public static class VisualPrompts
{
    public const string Gemma3ImageToken = "<image_soft_token>";
    public const string Gemma3EndOfImage = "<end_of_image>";

    /// <summary>Gemma 3 (transformers Gemma3Processor): every <c>&lt;start_of_image&gt;</c> becomes
    /// <c>"\n\n&lt;start_of_image&gt;" + N × &lt;image_soft_token&gt; + "&lt;end_of_image&gt;\n\n"</c>.</summary>
    /// <exception cref="ChatFormatException">The prompt's image markers and the images given differ in number.</exception>
    /// <param name="cropsPerImage">Pan-and-scan: per image, how many crops follow it; the marker of such an image first
    /// becomes "Here is the original image &lt;start_of_image&gt; and here are some crops to help you see better
    /// &lt;start_of_image&gt; …" (Gemma3Processor's wording), each marker then expanded.</param>
    public static string ExpandGemma3(string rendered, int images, int tokensPerImage, IReadOnlyList<int>? cropsPerImage = null)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        const string Boi = Gemma3ChatFormat.StartOfImage;
        var parts = rendered.Split(Boi);
        if (parts.Length - 1 != images)
            throw new ChatFormatException($"gemma3: the prompt has {parts.Length - 1} image marker(s) ({Boi}) but {images} image(s) were given");
        if (cropsPerImage is not null && cropsPerImage.Count != images)
            throw new ArgumentException($"cropsPerImage has {cropsPerImage.Count} entries for {images} image(s)");
        var block = "\n\n" + Boi + string.Concat(Enumerable.Repeat(Gemma3ImageToken, tokensPerImage)) + Gemma3EndOfImage + "\n\n";
        var text = new System.Text.StringBuilder(parts[0]);
        for (int i = 0; i < images; i++)
        {
            int crops = cropsPerImage?[i] ?? 0;
            text.Append(crops == 0 ? block
                : $"Here is the original image {block} and here are some crops to help you see better {string.Join(" ", Enumerable.Repeat(block, crops))}");
            text.Append(parts[i + 1]);
        }
        return text.ToString();
    }
}
