using Avocado.Text.Chat;

namespace Avocado.Text.Tests.Chat;

public class MessagesFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("avocado-chat-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void ReadsOpenAiStyleMessagesAndTools()
    {
        var c = ChatFormats.ReadConversationFile(Write("""
            {"messages": [
              {"role": "system", "content": "S"},
              {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
              {"role": "assistant", "content": null, "reasoning_content": "R",
               "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"x\":1}"}},
                              {"function": {"name": "g", "arguments": {"y": [1.50, "é"]}}},
                              {"name": "h"}]},
              {"role": "tool", "tool_call_id": "c1", "name": "f", "content": "42"},
              {"role": "assistant", "thinking": "T", "content": "done"}
            ],
             "tools": [{"type": "function", "function": {"name": "f", "description": "F", "parameters": {"type": "object"}}},
                       {"name": "g"}]}
            """));
        Assert.Equal(5, c.Messages.Count);
        Assert.Equal(new ChatMessage("system", "S"), c.Messages[0]);
        Assert.Equal("ab", c.Messages[1].Content);
        var a = c.Messages[2];
        Assert.Null(a.Content);
        Assert.Equal("R", a.Reasoning);
        Assert.Equal([new ToolCall("f", "{\"x\":1}", "c1"), new ToolCall("g", "{\"y\": [1.5, \"é\"]}"), new ToolCall("h", "{}")], a.ToolCalls!);
        Assert.Equal(("c1", "f"), (c.Messages[3].ToolCallId, c.Messages[3].Name));
        Assert.Equal("T", c.Messages[4].Reasoning);
        Assert.Equal(2, c.Tools.Count);
        Assert.Equal(("f", "F", "{\"type\": \"object\"}"), (c.Tools[0].Name, c.Tools[0].Description, c.Tools[0].Parameters!.Value.GetRawText()));
        Assert.Equal(new ToolDefinition("g", null, null), c.Tools[1]);
        Assert.Equal(5, ChatFormats.ReadMessagesFile(Write("""{"messages": [{"role":"user","content":"x"},{"role":"user","content":"x"},{"role":"user","content":"x"},{"role":"user","content":"x"},{"role":"user","content":"x"}]}""")).Count);
    }

    [Fact]
    public void ReadsABareArray()
    {
        var m = ChatFormats.ReadMessagesFile(Write("""[{"role": "user", "content": "hi"}]"""));
        Assert.Equal([new ChatMessage("user", "hi")], m);
    }

    [Theory]
    [InlineData("""[{"role": "user", "content": "a"}, {"content": "b"}]""", "[1]: missing \"role\"")]
    [InlineData("""{"messages": [{"role": 3}]}""", "messages[0].role: expected a string, not a number")]
    [InlineData("""{"messages": [{"role": "user", "content": 5}]}""", "messages[0].content: expected a string, null or an array of text parts, not a number")]
    [InlineData("""{"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}""", "messages[0].content[0].type: only text parts are supported, not 'image_url'")]
    [InlineData("""{"messages": [{"role": "user"}, {"role": "assistant", "tool_calls": [{"function": {"arguments": "{}"}}]}]}""", "messages[1].tool_calls[0].function: missing \"name\"")]
    [InlineData("""{"messages": [{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "{oops"}}]}]}""", "messages[0].tool_calls[0].function.arguments: the string is not valid JSON")]
    [InlineData("""{"messages": [{"role": "assistant", "tool_calls": {}}]}""", "messages[0].tool_calls: expected an array, not an object")]
    [InlineData("""{"messages": [], "tools": [{"type": "function", "function": {"description": "x"}}]}""", "tools[0].function: missing \"name\"")]
    [InlineData("""{"messages": [], "tools": [{"type": "function", "function": {"name": "f", "parameters": []}}]}""", "tools[0].function.parameters: expected a JSON-schema object, not an array")]
    [InlineData("""{"messages": {}}""", "\"messages\" must be an array, not an object")]
    [InlineData("""{"conversation": []}""", "the object has no \"messages\" array")]
    [InlineData("""42""", "expected an array of messages or an object with \"messages\", not a number")]
    [InlineData("""[{"role": "user", "content": "a"},]""", "not valid JSON")]
    [InlineData("""[{"role": "assistant", "reasoning_content": "a", "thinking": "b"}]""", "[0]: both \"thinking\" and another reasoning field")]
    public void ErrorsNameTheFileIndexAndField(string json, string expected)
    {
        string path = Write(json);
        var ex = Assert.Throws<ChatFormatException>(() => ChatFormats.ReadConversationFile(path));
        Assert.StartsWith(path + ":", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void MissingFileIsAChatFormatException()
    {
        var ex = Assert.Throws<ChatFormatException>(() => ChatFormats.ReadMessagesFile(Path.Combine(_dir, "nope.json")));
        Assert.Contains("nope.json", ex.Message);
    }
}
