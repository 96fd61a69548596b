using Avocado.Common.Config;
using System.Text;
using Avocado.Traces.Config;
using Avocado.Traces.Engine;
using Avocado.Teachers;

namespace Avocado.Traces.Tests.Engine;

/// <summary>The per-teacher concurrency, timeout, retry and circuit-breaker fields of an endpoint teacher: parsing,
/// errors that name the field, defaults, and that the values reach the <see cref="OpenAiTeacher"/> the engine builds.</summary>
public sealed class EndpointTeacherConfigTests : IDisposable
{
    readonly string dir = RunFiles.NewDir();

    public EndpointTeacherConfigTests() => File.WriteAllLines(Path.Combine(dir, "prompts.jsonl"), RunFiles.Gsm8kLines);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    TraceConfig Parse(string teacherFields, string provider = """ "provider": "openai", "endpoint": "http://gpu:8000/v1", "model": "m" """) =>
        TraceConfigLoader.Parse(Encoding.UTF8.GetBytes($$"""
            { "teachers": [ { "name": "t", "family": "qwen3", {{provider}} {{teacherFields}} } ],
              "prompt_sets": [ { "files": ["prompts.jsonl"] } ], "output_dir": "out", "concurrency": 12 }
            """), dir);

    static OpenAiTeacherOptions Built(TraceConfig config)
    {
        using var teacher = (OpenAiTeacher)TeacherFactory.Create(config.Teachers[0], config.Concurrency);
        return teacher.Options;
    }

    [Fact]
    public void Fields_not_given_keep_the_teachers_defaults_and_the_runs_concurrency()
    {
        var config = Parse("");
        var t = config.Teachers[0];
        Assert.Equal([null, null, null, null, null, null, null, null],
            new object?[] { t.MaxConcurrency, t.RequestTimeout, t.MaxAttempts, t.RetryBaseDelay, t.RetryMaxDelay, t.MaxRetryAfter, t.BreakerThreshold, t.BreakerOpen });

        var o = Built(config);
        Assert.Equal(12, o.MaxConcurrency);
        Assert.Equal(OpenAiTeacherDefaults.RequestTimeout, o.RequestTimeout);
        Assert.Equal(OpenAiTeacherDefaults.MaxAttempts, o.MaxAttempts);
        Assert.Equal(OpenAiTeacherDefaults.BaseDelay, o.BaseDelay);
        Assert.Equal(OpenAiTeacherDefaults.MaxDelay, o.MaxDelay);
        Assert.Equal(OpenAiTeacherDefaults.MaxRetryAfter, o.MaxRetryAfter);
        Assert.Equal(OpenAiTeacherDefaults.BreakerThreshold, o.BreakerThreshold);
        Assert.Equal(OpenAiTeacherDefaults.BreakDuration, o.BreakDuration);
    }

    [Fact]
    public void Given_fields_reach_the_teacher()
    {
        var config = Parse("""
            , "max_concurrency": 3, "request_timeout_seconds": 90, "max_attempts": 4, "retry_base_delay_seconds": 0.25,
              "retry_max_delay_seconds": 8, "max_retry_after_seconds": 30, "breaker_threshold": 5, "breaker_open_seconds": 12.5
            """);
        var t = config.Teachers[0];
        Assert.Equal((3, TimeSpan.FromSeconds(90), 4), (t.MaxConcurrency, t.RequestTimeout, t.MaxAttempts));

        var o = Built(config);
        Assert.Equal(3, o.MaxConcurrency);
        Assert.Equal(TimeSpan.FromSeconds(90), o.RequestTimeout);
        Assert.Equal(4, o.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(250), o.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(8), o.MaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), o.MaxRetryAfter);
        Assert.Equal(5, o.BreakerThreshold);
        Assert.Equal(TimeSpan.FromSeconds(12.5), o.BreakDuration);
    }

    [Theory]
    [InlineData(""", "max_concurrency": 0""", "teachers[0].max_concurrency: must be ≥ 1, got 0")]
    [InlineData(""", "request_timeout_seconds": 0""", "teachers[0].request_timeout_seconds: must be in (0, 86400], got 0")]
    [InlineData(""", "request_timeout_seconds": 600000""", "teachers[0].request_timeout_seconds: must be in (0, 86400]")]
    [InlineData(""", "request_timeout_seconds": "10s" """, "teachers[0].request_timeout_seconds: must be a number")]
    [InlineData(""", "max_attempts": 0""", "teachers[0].max_attempts: must be in [1, 100], got 0")]
    [InlineData(""", "max_attempts": 2.5""", "teachers[0].max_attempts: must be an integer")]
    [InlineData(""", "retry_base_delay_seconds": -1""", "teachers[0].retry_base_delay_seconds: must be in [0, 86400], got -1")]
    [InlineData(""", "retry_base_delay_seconds": 5, "retry_max_delay_seconds": 2""", "teachers[0].retry_max_delay_seconds: must be ≥ retry_base_delay_seconds (5), got 2")]
    [InlineData(""", "retry_base_delay_seconds": 120""", "teachers[0].retry_base_delay_seconds: must be ≤ retry_max_delay_seconds (default 60)")]
    [InlineData(""", "max_retry_after_seconds": -0.5""", "teachers[0].max_retry_after_seconds: must be in [0, 86400]")]
    [InlineData(""", "breaker_threshold": 0""", "teachers[0].breaker_threshold: must be ≥ 1, got 0")]
    [InlineData(""", "breaker_open_seconds": 0""", "teachers[0].breaker_open_seconds: must be in (0, 86400], got 0")]
    [InlineData(""", "max_atempts": 3""", "teachers[0].max_atempts: unknown field")]
    public void Errors_name_the_field(string fields, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(fields));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void An_in_process_teacher_takes_none_of_them()
    {
        var checkpoint = Directory.CreateDirectory(Path.Combine(dir, "ckpt")).FullName;
        var e = Assert.Throws<ConfigException>(() => Parse(""", "max_attempts": 3""", $$""" "provider": "in-process", "checkpoint": "{{checkpoint}}" """));
        Assert.StartsWith("teachers[0].max_attempts: only endpoint teachers (provider \"openai\") take this", e.Message);
    }
}
