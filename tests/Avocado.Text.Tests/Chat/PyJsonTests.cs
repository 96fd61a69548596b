using System.Globalization;
using System.Text.Json;
using Avocado.Text.Chat;

namespace Avocado.Text.Tests.Chat;

/// <summary>The templates' tojson (Python json.dumps after json.loads), checked against python3 itself.</summary>
public class PyJsonTests
{
    private const string PythonDumps =
        "import json,sys\n" +
        "for line in sys.stdin.read().split('\\n'):\n" +
        "    if line: print(json.dumps(json.dumps(json.loads(line), ensure_ascii=False), ensure_ascii=True))\n";

    [Fact]
    public void MatchesPythonJsonDumps()
    {
        var docs = new List<string>
        {
            """{"a": 1, "b": [true, false, null], "c": {"d": "e"}, "": {}}""",
            """{"s": "quote \" backslash \\ slash / nl \n cr \r tab \t bs \b ff \f ctl \u0001 \u001f del \u007f"}""",
            """{"u": "é 日本 😀 \u2028 \u00a0 \ud83d\ude00"}""",
            """[0, -0, 1, -1, 12345678901234567890123, 1.0, -0.0, 0.5, 1.5e300, 1e308, 1e-320, 2.5e-5, 0.0001, 0.00001, 1e15, 1e16, 123456789012345678.0]""",
            """[1E400, -1e400, 3.14159265358979323846, 0.1, 0.2, 0.30000000000000004, 100, 1e2, 1.10, 9007199254740993.0]""",
            """{"dup": 1, "x": 2, "dup": 3}""",
            """{"nested": [[[]], [{}], {"a": [1, {"b": null}]}]}""",
        };
        var rng = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            double d = BitConverter.Int64BitsToDouble(rng.NextInt64());
            if (double.IsFinite(d)) docs.Add("[" + d.ToString("R", CultureInfo.InvariantCulture) + "]");
            docs.Add("[" + (rng.NextDouble() * Math.Pow(10, rng.Next(-30, 30))).ToString("R", CultureInfo.InvariantCulture) + "]");
        }
        string output = TemplateReference.RunPython(string.Join("\n", docs) + "\n", "-c", PythonDumps);
        var expected = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<string>(l)!).ToList();
        Assert.Equal(docs.Count, expected.Count);
        for (int i = 0; i < docs.Count; i++)
            Assert.True(expected[i] == PyJson.Normalize(docs[i]), $"{docs[i]}: python {expected[i]}, ours {PyJson.Normalize(docs[i])}");
    }

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-2.5e-7, "-2.5e-07")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(123.456, "123.456")]
    public void FloatRepr(double value, string expected) => Assert.Equal(expected, PyJson.FloatRepr(value));

    [Fact]
    public void StripIsPythons()
    {
        Assert.Equal("x", PyStr.Strip("\x1c\x1f \t\n\u2003x\u00a0\u3000\x85"));
        Assert.Equal("\u200bx\u200b", PyStr.Strip(" \u200bx\u200b "));   // zero-width space is not whitespace to Python
    }

    [Fact]
    public void StrAndTruthinessFollowPython()
    {
        static JsonElement J(string s) => JsonDocument.Parse(s).RootElement.Clone();
        Assert.Equal("True", PyJson.Str(J("true")));
        Assert.Equal("None", PyJson.Str(J("null")));
        Assert.Equal("2.0", PyJson.Str(J("2.0")));
        Assert.Equal("abc", PyJson.Str(J("\"abc\"")));
        Assert.Equal("['a', 1]", PyJson.Str(J("[\"a\", 1]")));
        Assert.False(PyJson.Truthy(J("0.0")));
        Assert.False(PyJson.Truthy(J("{}")));
        Assert.False(PyJson.Truthy(J("\"\"")));
        Assert.True(PyJson.Truthy(J("[0]")));
        Assert.False(PyJson.Truthy(null));
    }
}
