using Avocado.Distill.Config;
using Avocado.Teachers;

namespace Avocado.Distill.Engine;

/// <summary>Builds the teacher a <see cref="TeacherConfig"/> describes (not yet cached: the engine wraps it).</summary>
public static class TeacherFactory
{
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
                MaxConcurrency = concurrency,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Provider, "unknown teacher provider"),
        };
    }
}
