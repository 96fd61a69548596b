using System.Text;

namespace Avocado.Text.Tests.Tokenizers;

/// <summary>Deterministic random text assembled from pieces that exercise the pre-tokenizers and BPE.</summary>
public static class FuzzText
{
    private static readonly string[] Pieces =
    [
        "a", "b", "Z", "the", " the", "The", "HTTP", "Server", "x", "ABCdef", "ǅ", "ǲa", "ʰ", "ı", "İ", "ß",
        "é", "e\u0301", "a\u0308", "\u0301", "\u0327", "o\u0302\u0323", "n\u0303",
        "中", "文字", "日本語", "ひらがな", "カタカナ", "한", "한국", "\u1100\u1161", "\u11a8",
        "Привет", "мир", "مرحبا", "ال", "שָׁלוֹם", "नमस्ते", "क्ष", "ไทย", "ที่", "Ελλάδα",
        "0", "1", "12", "123", "4567", "٣", "１", "²", "½", "Ⅻ",
        " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r", " \n", "\u00a0", "\u3000", "\u2003",
        "'", "'s", "'S", "'re", "'LL", "'d", "n't", "\"", "`",
        ".", ",", "!", "?", "...", "-", "--", "/", "//", "\\", "(", ")", "[", "]", "{", "}", "<", ">", "=", "==", "=>",
        "+", "*", "&", "%", "$", "#", "@", "|", "_", "~", "^", ";", ":",
        "😀", "👍🏽", "👨\u200d👩\u200d👧", "🇯🇵", "❤\ufe0f", "1\ufe0f\u20e3", "𝐀", "𝐛", "𠀀", "🙂🙂",
        "\u2581", "\u2581\u2581", "<0x41>", "<|", "|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>",
        "<start_of_turn>", "<end_of_turn>", "<bos>", "<unused7>", "<b>", "</b>",
        "<|start|>", "<|channel|>", "<|message|>", "<|end|>", "<|return|>", "<|reserved_200100|>",
        "\u200b", "\u200d", "\ufe0f", "\ufffd", "\u0000", "\u007f",
    ];

    public static IReadOnlyList<string> Generate(int seed, int count)
    {
        var random = new Random(seed);
        var texts = new List<string>(count);
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.Clear();
            int n = random.Next(1, 24);
            for (int k = 0; k < n; k++)
            {
                string piece = Pieces[random.Next(Pieces.Length)];
                int repeat = random.Next(8) == 0 ? random.Next(2, 12) : 1;
                for (int r = 0; r < repeat; r++) sb.Append(piece);
            }
            texts.Add(sb.ToString());
        }
        return texts;
    }
}
