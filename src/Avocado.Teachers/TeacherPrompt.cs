using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Avocado.Text.Chat;

namespace Avocado.Teachers;

/// <summary>Canonical, hashable forms of what a teacher is asked.</summary>
public static class TeacherPrompt
{
    /// <summary>
    /// The conversation part of a request as JSON with a fixed field order (messages, tools, enable_thinking,
    /// reasoning_effort): equal requests give equal text. Sampling, sample index and log-probability settings are not
    /// included (the cache key adds them).
    /// </summary>
    public static string CanonicalJson(TeacherRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ScratchJson.Build(relaxedEscaping: true, w => WriteCanonical(w, request), json => Encoding.UTF8.GetString(json));
    }

    static void WriteCanonical(Utf8JsonWriter w, TeacherRequest request)
    {
        w.WriteStartObject();
        w.WriteStartArray("messages");
        foreach (var m in request.Messages)
        {
            w.WriteStartObject();
            w.WriteString("role", m.Role);
            w.WriteString("content", m.Content);
            w.WriteString("reasoning", m.Reasoning);
            w.WriteString("name", m.Name);
            w.WriteString("tool_call_id", m.ToolCallId);
            w.WriteStartArray("tool_calls");
            foreach (var c in m.ToolCalls ?? [])
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteString("name", c.Name);
                w.WriteString("arguments", c.ArgumentsJson);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("tools");
        foreach (var t in request.Tools ?? [])
        {
            w.WriteStartObject();
            w.WriteString("name", t.Name);
            w.WriteString("description", t.Description);
            w.WritePropertyName("parameters");
            if (t.Parameters is { } p) p.WriteTo(w); else w.WriteNullValue();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBoolean("enable_thinking", request.EnableThinking);
        w.WriteString("reasoning_effort", EffortName(request.ReasoningEffort));
        w.WriteEndObject();
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 text (encoded into a pooled buffer: prompts are hashed per request).</summary>
    public static string Sha256Hex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            return Sha256Hex(bytes.AsSpan(0, Encoding.UTF8.GetBytes(text, bytes)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Lower-case hex SHA-256 of the bytes.</summary>
    internal static string Sha256Hex(ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, hash);
        return Convert.ToHexStringLower(hash);
    }

    internal static string? EffortName(ReasoningEffort? effort) => effort switch
    {
        null => null,
        ReasoningEffort.Low => "low",
        ReasoningEffort.Medium => "medium",
        _ => "high",
    };
}

/// <summary>Teacher family names and the licenses their outputs carry.</summary>
public static class TeacherFamilies
{
    public const string Qwen3 = "qwen3", Gemma3 = "gemma3", GptOss = "gpt-oss";
    public static IReadOnlyList<string> All { get; } = [Qwen3, Gemma3, GptOss];

    /// <summary>"qwen3", "gemma3" or "gpt-oss" for a family name or alias (as <see cref="ChatFormats.For"/> takes them).</summary>
    /// <exception cref="ArgumentException">Not a teacher family.</exception>
    public static string Normalize(string family) => ChatFormats.For(family).Family;

    /// <summary>Qwen3 and gpt-oss: Apache-2.0. Gemma 3: the Gemma Terms of Use, which outputs used for training carry
    /// (derivatives inherit the terms; redistribution must include them).</summary>
    public static string DefaultLicense(string family) => Normalize(family) switch
    {
        Gemma3 => "Gemma Terms of Use",
        _ => "Apache-2.0",
    };
}
