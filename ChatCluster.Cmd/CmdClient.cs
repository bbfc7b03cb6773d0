using System.Net.Sockets;
using System.Text;
using ChatCluster.Messages.Commands;

namespace ChatCluster.Cmd;

/// <summary>A connection to one node's ccm listener: hello, then one command at a time.</summary>
public sealed class CmdClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly StreamReader _reader;
    private long _nextId;

    private CmdClient(TcpClient tcp, CommandFrame.Welcome welcome, StreamReader reader)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = reader;
        Welcome = welcome;
    }

    public CommandFrame.Welcome Welcome { get; }

    public IReadOnlyList<CommandPalette> Palettes => Welcome.Palettes;

    /// <summary>False once the node has gone away.</summary>
    public bool Connected { get; private set; } = true;

    /// <summary>Connects and says hello; throws <see cref="ConnectException"/> when the node cannot be reached or refuses.</summary>
    public static async Task<CmdClient> ConnectAsync(string host, int port, string? token, TimeSpan timeout)
    {
        var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await tcp.ConnectAsync(host, port, cts.Token);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.UTF8.GetBytes(new CommandFrame.Hello(token, "ccm/" + Version).ToJson() + "\n"), cts.Token);
            var reader = new StreamReader(stream, new UTF8Encoding(false));
            var line = await reader.ReadLineAsync(cts.Token) ?? throw new ConnectException($"{host}:{port} closed the connection");
            return CommandFrame.Parse(line) switch
            {
                CommandFrame.Welcome w => new CmdClient(tcp, w, reader),
                CommandFrame.Denied d => throw new ConnectException(d.Error),
                var other => throw new ConnectException($"unexpected answer from {host}:{port}: {other.GetType().Name}"),
            };
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or FormatException)
        {
            tcp.Dispose();
            throw new ConnectException(e is OperationCanceledException
                ? $"cannot connect to {host}:{port}: no answer within {timeout.TotalSeconds:0.#}s"
                : $"cannot connect to {host}:{port}: {e.Message}");
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    public static string Version { get; } = typeof(CmdClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>
    /// Runs one command, calling <paramref name="onLine"/> for each output line, and returns the final marker.
    /// When <paramref name="cancel"/> fires the node is told to stop the command (Ctrl-C in a tail) and its end is awaited
    /// for at most <paramref name="cancelGrace"/>. Throws <see cref="ConnectException"/> if the node goes away.
    /// </summary>
    public async Task<CommandFrame.End> RunAsync(string palette, string verb, IReadOnlyDictionary<string, string> args,
        Action<CommandFrame.Line> onLine, CancellationToken cancel, TimeSpan cancelGrace)
    {
        var id = ++_nextId;
        await SendAsync(new CommandFrame.Run(id, palette, verb, args), CancellationToken.None);
        var cancelled = false;
        using var grace = new CancellationTokenSource();
        await using var registration = cancel.Register(() =>
        {
            cancelled = true;
            grace.CancelAfter(cancelGrace);
            _ = SendAsync(new CommandFrame.Cancel(id), CancellationToken.None);
        });
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                return new CommandFrame.End(id, CommandFrame.End.TimedOut, null);
            }
            catch (IOException e)
            {
                Connected = false;
                throw new ConnectException("connection lost: " + e.Message);
            }
            if (line is null)
            {
                Connected = false;
                if (cancelled) return new CommandFrame.End(id, CommandFrame.End.Ok, null);
                throw new ConnectException("the node closed the connection");
            }
            CommandFrame frame;
            try
            {
                frame = CommandFrame.Parse(line);
            }
            catch (FormatException e)
            {
                throw new ConnectException("bad frame from the node: " + e.Message);
            }
            switch (frame)
            {
                case CommandFrame.Line l when l.Id == id:
                    onLine(l);
                    break;
                case CommandFrame.End e when e.Id == id || e.Id == 0:
                    return e;
                case CommandFrame.Denied d:
                    throw new ConnectException(d.Error);
            }
        }
    }

    private readonly SemaphoreSlim _sending = new(1, 1);

    private async Task SendAsync(CommandFrame frame, CancellationToken cancel)
    {
        await _sending.WaitAsync(cancel);
        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(frame.ToJson() + "\n"), cancel);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
        finally
        {
            _sending.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The node cannot be reached, refused the session, or went away (exit code 3).</summary>
public sealed class ConnectException(string message) : Exception(message);
