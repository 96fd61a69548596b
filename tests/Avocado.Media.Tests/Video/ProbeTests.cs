namespace Avocado.Media.Tests.Video;

public sealed class ProbeTests
{
    readonly MediaFiles files = MediaFiles.Shared;

    [Fact]
    public async Task Probe_reports_duration_rate_size_frame_count_and_codec()
    {
        var probe = await new VideoReader().ProbeAsync(files.Cuts);

        Assert.True(probe.HasVideo);
        Assert.False(probe.HasAudio);
        Assert.Equal("h264", probe.Codec);
        Assert.Equal(10.0, probe.DurationSeconds, 3);
        Assert.Equal(24.0, probe.Fps, 6);
        Assert.Equal((320, 240), (probe.Width, probe.Height));
        Assert.Equal(240, probe.FrameCount);
        Assert.True(probe.FrameCountIsExact);
    }

    [Fact]
    public async Task A_container_without_a_frame_count_gets_duration_times_rate_and_says_it_is_an_estimate()
    {
        var probe = await new VideoReader().ProbeAsync(files.Indexed);

        Assert.Equal("ffv1", probe.Codec);
        // NUT's duration ends at the last frame's start (9.958 s), so the estimate is one short of the 240 written.
        Assert.Equal(Math.Round(probe.DurationSeconds * 24), probe.FrameCount);
        Assert.InRange(probe.FrameCount, MediaFiles.IndexedFrames - 1, MediaFiles.IndexedFrames);
        Assert.False(probe.FrameCountIsExact);
    }

    [Fact]
    public async Task Audio_only_probes_as_no_video_and_every_decode_refuses_it_by_name()
    {
        var reader = new VideoReader();
        var probe = await reader.ProbeAsync(files.AudioOnly);
        Assert.False(probe.HasVideo);
        Assert.True(probe.HasAudio);

        var e = await Assert.ThrowsAsync<MediaException>(async () => await reader.ReadFramesAsync(files.AudioOnly, new FrameRequest { MaxFrames = 1 }).ToListAsync());
        Assert.Equal($"{files.AudioOnly}: has no video stream (audio only)", e.Message);
    }

    [Fact]
    public void A_quarter_turn_in_the_display_matrix_swaps_the_sides_as_ffmpeg_decodes_them()
    {
        // ffprobe's JSON for a phone video stored landscape and shown portrait (Debian's ffmpeg 5.1 cannot write the
        // display matrix into MP4, so the JSON stands in for the file).
        const string json = """
            {"streams": [{"codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080, "avg_frame_rate": "30000/1001",
              "duration": "12.5", "nb_frames": "375", "sample_aspect_ratio": "1:1",
              "side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}]}],
             "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "12.6"}}
            """;
        var probe = VideoProber.Parse("phone.mp4", json);

        Assert.Equal((1080, 1920), (probe.Width, probe.Height));
        Assert.Equal(30000 / 1001.0, probe.Fps, 9);
        Assert.Equal(12.5, probe.DurationSeconds); // the stream's own duration, not the container's
    }

    [Fact]
    public void Cover_art_in_an_audio_file_is_not_a_video_and_matroska_durations_come_from_the_tag()
    {
        const string coverArt = """
            {"streams": [{"codec_type": "audio", "codec_name": "mp3"},
                         {"codec_type": "video", "codec_name": "mjpeg", "width": 600, "height": 600, "disposition": {"attached_pic": 1}}],
             "format": {"format_name": "mp3", "duration": "180.0"}}
            """;
        Assert.False(VideoProber.Parse("song.mp3", coverArt).HasVideo);

        const string mkv = """
            {"streams": [{"codec_type": "video", "codec_name": "vp9", "width": 640, "height": 360, "avg_frame_rate": "25/1",
              "tags": {"DURATION": "00:01:02.500000000"}}],
             "format": {"format_name": "matroska,webm", "duration": "63.0"}}
            """;
        var probe = VideoProber.Parse("clip.webm", mkv);
        Assert.Equal(62.5, probe.DurationSeconds, 6);
        Assert.Equal(1563, probe.FrameCount);
    }
}
