namespace Avocado.Cli;

/// <summary>The one Ctrl-C path of the CLI: the first Ctrl-C cancels <see cref="Token"/> (the command stops at its next
/// safe point and exits 130) after printing what will happen; the process is not killed. Disposing unhooks it.</summary>
public sealed class CtrlC : IDisposable
{
    /// <summary>The exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.</summary>
    public const int ExitCode = 130;

    readonly CancellationTokenSource cts = new();
    readonly ConsoleCancelEventHandler handler;

    CtrlC(string message)
    {
        handler = (_, e) =>
        {
            e.Cancel = true;
            if (cts.IsCancellationRequested) return;
            Console.Error.WriteLine();
            Console.Error.WriteLine(message);
            cts.Cancel();
        };
        Console.CancelKeyPress += handler;
    }

    /// <param name="message">What happens now, e.g. "[train] interrupted: checkpointing at the end of this step…".</param>
    public static CtrlC Listen(string message) => new(message);

    public CancellationToken Token => cts.Token;
    public bool Pressed => cts.IsCancellationRequested;

    public void Dispose()
    {
        Console.CancelKeyPress -= handler;
        cts.Dispose();
    }
}
