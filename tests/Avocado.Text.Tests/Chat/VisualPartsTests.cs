using Avocado.Text.Chat;

namespace Avocado.Text.Tests.Chat;

/// <summary>Messages with image parts render as the model's own template renders OpenAI-style content lists (Gemma 3's
/// template from the real tokenizer_config.json, through Jinja2), and the processor's expansion follows.</summary>
public class VisualPartsTests
{
    static readonly ChatOptions Prompt = new() { AddGenerationPrompt = true };

    public static TheoryData<string> Conversations() => ["one_image", "image_between_texts", "two_images_two_turns", "system_parts"];

    static IReadOnlyList<ChatMessage> Conversation(string name) => name switch
    {
        "one_image" => [ChatMessage.UserParts(new ImagePart(), new TextPart("  What is in this picture?  "))],
        "image_between_texts" => [ChatMessage.UserParts(new TextPart("Compare "), new ImagePart(), new TextPart(" with\n"), new ImagePart())],
        "two_images_two_turns" =>
        [
            ChatMessage.UserParts(new ImagePart(), new TextPart("Count the cats.")),
            ChatMessage.Assistant("Two cats."),
            ChatMessage.UserParts(new TextPart("And here?"), new ImagePart()),
        ],
        "system_parts" =>
        [
            new ChatMessage(ChatRoles.System) { Parts = [new TextPart("You describe images.")] },
            ChatMessage.UserParts(new ImagePart(), new TextPart("Describe it.")),
        ],
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Conversations))]
    public void Gemma3_renders_image_parts_as_its_own_template_does(string name)
    {
        var messages = Conversation(name);
        var reference = TemplateReference.Render("gemma3", new ReferenceCase(messages, null, Prompt));
        Assert.True(reference.Ok, reference.Error);
        Assert.Equal(reference.Text, ChatFormats.For("gemma3").Render(messages, Prompt));
        Assert.Contains("<start_of_image>", reference.Text);
    }

    [Fact]
    public void Gemma3_image_markers_expand_to_the_soft_token_run_the_processor_writes()
    {
        var rendered = ChatFormats.For("gemma3").Render(Conversation("image_between_texts"), Prompt);
        var expanded = VisualPrompts.ExpandGemma3(rendered, images: 2, tokensPerImage: 3);
        Assert.Equal(rendered.Replace("<start_of_image>", "\n\n<start_of_image><image_soft_token><image_soft_token><image_soft_token><end_of_image>\n\n"), expanded);
        var e = Assert.Throws<ChatFormatException>(() => VisualPrompts.ExpandGemma3(rendered, images: 1, tokensPerImage: 3));
        Assert.Contains("2 image marker(s)", e.Message);
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("gpt-oss")]
    public void Text_only_formats_refuse_images_and_join_text_parts(string family)
    {
        var format = ChatFormats.For(family);
        var e = Assert.Throws<ChatFormatException>(() => format.Render(Conversation("one_image"), Prompt));
        Assert.Contains("text-only", e.Message);
        var joined = format.Render([ChatMessage.UserParts(new TextPart("Hello, "), new TextPart("world"))], Prompt);
        Assert.Equal(format.Render([ChatMessage.User("Hello, world")], Prompt), joined);
    }
}
