using System.Runtime.InteropServices;
using ChatCluster.Messages.Commands;

namespace ChatCluster.Cmd;

/// <summary>ccm's entry: parse the line, connect, then one command or the interactive prompt. Returns the exit code.</summary>
public static class Ccm
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, bool terminal)
    {
        Invocation invocation;
        string? token;
        try
        {
            invocation = Invocation.Parse(args);
            token = invocation.ResolveToken(Environment.GetEnvironmentVariable);
        }
        catch (UsageException e)
        {
            error.WriteLine($"ccm: {e.Message}");
            error.WriteLine(Invocation.UsageText);
            return CommandExitCodes.Usage;
        }
        if (invocation.Version)
        {
            output.WriteLine($"ccm {CmdClient.Version}");
            return CommandExitCodes.Ok;
        }
        if (invocation.Help && invocation.Words.Count == 0)
        {
            output.WriteLine(Invocation.UsageText);
            return CommandExitCodes.Ok;
        }
        var connectTimeout = invocation.Timeout is { } t && Invocation.ParseDuration(t) is { } d && d < ConnectTimeout ? d : ConnectTimeout;
        CmdClient client;
        try
        {
            client = await CmdClient.ConnectAsync(invocation.Host, invocation.Port, token, connectTimeout);
        }
        catch (ConnectException e)
        {
            error.WriteLine($"ccm: {e.Message}");
            return CommandExitCodes.NotConnected;
        }
        await using (client)
        {
            var runner = new CommandRunner(client, output, error);
            if (invocation.Words.Count == 0)
                return await new InteractiveShell(client, runner, invocation.Target, input, output, terminal).RunAsync(invocation.Json, invocation.Timeout);
            var words = invocation.Help ? invocation.Words.Append("--help").ToList() : invocation.Words.ToList();
            using var interrupt = new CancellationTokenSource();
            // Ctrl-C (SIGINT) or SIGTERM (timeout(1), a pod's stop) ends a tail cleanly: the node is told, the exit code is 0.
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
            return await runner.RunAsync(words, invocation.Json, invocation.Timeout, interrupt.Token);

            void Interrupt(PosixSignalContext context)
            {
                context.Cancel = true;
                interrupt.Cancel();
            }
        }
    }
}
