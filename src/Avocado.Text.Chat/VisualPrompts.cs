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
    public static string ExpandGemma3(string rendered, int images, int tokensPerImage)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        var parts = rendered.Split(Gemma3ChatFormat.StartOfImage);
        if (parts.Length - 1 != images)
            throw new ChatFormatException($"gemma3: the prompt has {parts.Length - 1} image marker(s) ({Gemma3ChatFormat.StartOfImage}) but {images} image(s) were given");
        var block = "\n\n" + Gemma3ChatFormat.StartOfImage + string.Concat(Enumerable.Repeat(Gemma3ImageToken, tokensPerImage)) + Gemma3EndOfImage + "\n\n";
        return string.Join(block, parts);
    }
}
