using Avocado.Common.Progress;

namespace Avocado.Common.Tests.Progress;

public sealed class ProgressTextTests
{
    [Theory]
    [InlineData(4.25, "4.2s")]
    [InlineData(59.94, "59.9s")]
    [InlineData(187, "3m07s")]
    [InlineData(7500, "2h05m")]
    [InlineData(26 * 3600 + 300, "26h05m")]          // past a day the hours go on; hh:mm:ss would say 02:05:00
    [InlineData(400 * 3600, "400h00m")]
    [InlineData(-3, "0.0s")]
    public void Durations_read_the_same_at_every_scale(double seconds, string expected) =>
        Assert.Equal(expected, ProgressText.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void The_ETA_is_the_average_rate_so_far_and_absent_before_the_first_and_after_the_last_unit()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), ProgressText.Eta(TimeSpan.FromSeconds(10), 25, 100));
        Assert.Null(ProgressText.Eta(TimeSpan.FromSeconds(10), 0, 100));
        Assert.Null(ProgressText.Eta(TimeSpan.FromSeconds(10), 100, 100));
        Assert.Equal(" | ETA 30.0s", ProgressText.EtaSuffix(TimeSpan.FromSeconds(10), 25, 100));
        Assert.Equal("", ProgressText.EtaSuffix(TimeSpan.FromSeconds(10), 100, 100));
    }
}
