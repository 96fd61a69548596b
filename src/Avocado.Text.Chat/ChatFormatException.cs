namespace Avocado.Text.Chat;

/// <summary>An invalid conversation (for a format), or an invalid messages file.</summary>
public sealed class ChatFormatException : Exception
{
    public ChatFormatException(string message) : base(message) { }

    public ChatFormatException(string message, Exception innerException) : base(message, innerException) { }

    public ChatFormatException(string message, int messageIndex) : base(message) => MessageIndex = messageIndex;

    /// <summary>The index of the offending message, when one message is at fault.</summary>
    public int? MessageIndex { get; }
}
