using Avocado.Inference;
using Avocado.Traces.Config;
using Avocado.Teachers;

namespace Avocado.Traces.Engine;

/// <summary>Builds the teacher a <see cref="TeacherConfig"/> describes (not yet cached: the engine wraps it).</summary>
public static class TeacherFactory
{
    /// <param name="concurrency">The run's; an endpoint teacher without its own <c>max_concurrency</c> takes it.</param>
    public static ITeacher Create(TeacherConfig config, int concurrency)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Provider switch
        {
            TeacherProvider.InProcess => InProcessTeacher.Load(config.Checkpoint!, new InProcessTeacherOptions
            {
                Name = config.Name,
                Revision = config.Revision,
                License = config.License,
                ChatFamily = config.Family,
                MaxBatch = config.MaxBatch,
                CurrentDate = config.CurrentDate,
            }),
            TeacherProvider.OpenAi => new OpenAiTeacher(new OpenAiTeacherOptions
            {
                Name = config.Name,
                Family = config.Family,
                Endpoint = config.Endpoint!,
                Model = config.Model!,
                Revision = config.Revision,
                License = config.License,
                ApiKeyEnvironmentVariable = config.ApiKeyEnv,
                MaxConcurrency = config.MaxConcurrency ?? concurrency,
                RequestTimeout = config.RequestTimeout ?? OpenAiTeacherDefaults.RequestTimeout,
                MaxAttempts = config.MaxAttempts ?? OpenAiTeacherDefaults.MaxAttempts,
                BaseDelay = config.RetryBaseDelay ?? OpenAiTeacherDefaults.BaseDelay,
                MaxDelay = config.RetryMaxDelay ?? OpenAiTeacherDefaults.MaxDelay,
                MaxRetryAfter = config.MaxRetryAfter ?? OpenAiTeacherDefaults.MaxRetryAfter,
                BreakerThreshold = config.BreakerThreshold ?? OpenAiTeacherDefaults.BreakerThreshold,
                BreakDuration = config.BreakerOpen ?? OpenAiTeacherDefaults.BreakDuration,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Provider, "unknown teacher provider"),
        };
    }
}
