using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Commands;

/// <summary>
/// The ccm TCP listener: accepts sessions up to <c>max-sessions</c> (one more is told so and closed), each run by a
/// <see cref="CommandSession"/>. Stopping closes the listener at once and gives running commands a short grace to
/// send their final marker (a drain started by ccm reports its end before the process exits).
/// </summary>
public sealed class CommandListener : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(3);

    private readonly TcpListener _listener;
    private readonly CmdSettings _settings;
    private readonly CommandDispatcher _dispatcher;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _sessions = new();
    private Task? _accepting;
    private int _stopped;

    public CommandListener(CmdSettings settings, CommandDispatcher dispatcher, ILogger logger)
    {
        _settings = settings;
        _dispatcher = dispatcher;
        _logger = logger;
        _listener = new TcpListener(settings.Address, settings.Port);
    }

    /// <summary>The bound port (the real one when configured as 0).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Start()
    {
        try
        {
            _listener.Start();
        }
        catch (SocketException e)
        {
            throw new IOException($"chatcluster.cmd: cannot listen on {_settings.Host}:{_settings.Port} ({e.Message}); set another --cmd-port or chatcluster.cmd.port", e);
        }
        CmdLog.Listening(_logger, _listener.LocalEndpoint, _settings.HasToken ? "required" : "none", _settings.ReadOnly ? "read-only" : "read-write");
        _accepting = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            socket.NoDelay = true;
            var session = new CommandSession(socket, _settings, _dispatcher, _logger);
            lock (_sessions)
            {
                if (_sessions.Count >= _settings.MaxSessions)
                {
                    _ = session.RefuseAsync(ChatCluster.Messages.ChatErrors.CmdTooManySessions);
                    continue;
                }
                Task run = null!;
                run = Task.Run(async () =>
                {
                    try
                    {
                        await session.RunAsync(_closing.Token, _stopping.Token);
                    }
                    finally
                    {
                        lock (_sessions) _sessions.Remove(run);
                    }
                });
                _sessions.Add(run);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _listener.Stop();
        // Idle sessions close now; a session with a command in flight closes once its final marker is sent.
        await _closing.CancelAsync();
        Task[] running;
        lock (_sessions) running = _sessions.ToArray();
        // Commands in flight get a grace to finish (a drain's last lines); then every session is cut.
        await Task.WhenAny(Task.WhenAll(running), Task.Delay(StopGrace));
        await _stopping.CancelAsync();
        await Task.WhenAny(Task.WhenAll(running), Task.Delay(StopGrace));
        if (_accepting is not null) await _accepting;
        _stopping.Dispose();
        _closing.Dispose();
    }
}
