using System.Net.Sockets;
using System.Text;
using ChatCluster.Messages.Commands;
using ChatCluster.Node.Hosting;
using ChatCluster.Tests.Support;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Tests.Cmd;

/// <summary>A node whose ccm listener wants a token and is read-only, with small session limits.</summary>
public sealed class TokenNodeFixture : IAsyncLifetime
{
    public const string Token = "s3cret-ccm-token";

    public ChatNode Node { get; private set; } = null!;

    public string Target => $"127.0.0.1:{Node.Commands.Port}";

    public async Task InitializeAsync() => Node = await ChatNode.StartAsync(
        TestConfig.Node([$"chatcluster.cmd {{ token = \"{Token}\", read-only = on, max-sessions = 2, handshake-timeout = 1s, max-line-bytes = 1024 }}"])
            with { LogLevel = LogLevel.Information }); // the audit lines are information

    public async Task DisposeAsync() => await Node.StopAsync();
}

/// <summary>
/// The listener's protections over real sockets: the token (ccm as a process), read-only mode, the audit log, the
/// session and line bounds, the silent client; a non-loopback listener without a token refuses to start.
/// </summary>
public sealed class CcmSecurityTests : IClassFixture<TokenNodeFixture>
{
    private readonly TokenNodeFixture _node;

    public CcmSecurityTests(TokenNodeFixture node) => _node = node;

    [Fact]
    public async Task A_missing_or_wrong_token_should_exit_3_and_the_right_one_from_any_source_should_work()
    {
        var none = await CcmProcess.RunAsync(_node.Target, "cluster", "show");
        Assert.Equal(3, none.ExitCode);
        Assert.Contains("not authorized", none.Err);
        var wrong = await CcmProcess.RunAsync(_node.Target, "cluster", "show", "--token", "guess");
        Assert.Equal(3, wrong.ExitCode);
        Assert.Contains("not authorized", wrong.Err);

        Assert.Equal(0, (await CcmProcess.RunAsync(_node.Target, "cluster", "show", "--token", TokenNodeFixture.Token)).ExitCode);
        var env = new Dictionary<string, string> { ["CHATCLUSTER_CMD_TOKEN"] = TokenNodeFixture.Token };
        Assert.Equal(0, (await CcmProcess.RunAsync(new[] { _node.Target, "cluster", "status" }, environment: env)).ExitCode);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, TokenNodeFixture.Token + "\n");
            Assert.Equal(0, (await CcmProcess.RunAsync(_node.Target, "node", "status", "--token-file", file)).ExitCode);
        }
        finally
        {
            File.Delete(file);
        }
        Assert.DoesNotContain(_node.Node.Commands.Log.Recent(1000), l => l.Contains(TokenNodeFixture.Token, StringComparison.Ordinal) || l.Contains("guess", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_only_mode_should_refuse_mutating_verbs_and_audit_them_without_bodies()
    {
        var room = "ro-" + Guid.NewGuid().ToString("N")[..8];
        var create = await CcmProcess.RunAsync(_node.Target, "chat", "create", "-r", room, "--token", TokenNodeFixture.Token);
        Assert.Equal(3, create.ExitCode);
        Assert.Contains("read-only", create.Err);
        Assert.False(await _node.Node.Api.ExistsAsync(room));
        var broadcast = await CcmProcess.RunAsync(_node.Target, "chat", "broadcast", "-r", "defaultRoom", "-m", "top secret body", "--token", TokenNodeFixture.Token);
        Assert.Equal(3, broadcast.ExitCode);
        var rooms = await CcmProcess.RunAsync(_node.Target, "chat", "rooms", "--token", TokenNodeFixture.Token);
        Assert.Equal(0, rooms.ExitCode);

        var log = _node.Node.Commands.Log.Recent(1000);
        Assert.Contains(log, l => l.Contains("ccm audit", StringComparison.Ordinal) && l.Contains($"chat create --room {room}", StringComparison.Ordinal) && l.Contains("refused: read-only", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("chat broadcast --room defaultRoom --message <15 chars>", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("ran chat rooms", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l.Contains("top secret body", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Log_recent_should_print_the_nodes_recent_lines_with_the_audit_of_earlier_commands()
    {
        Assert.Equal(0, (await CcmProcess.RunAsync(_node.Target, "actor", "system", "--token", TokenNodeFixture.Token)).ExitCode);
        var recent = await CcmProcess.RunAsync(_node.Target, "log", "recent", "-n", "20", "--token", TokenNodeFixture.Token);
        Assert.Equal(0, recent.ExitCode);
        Assert.InRange(recent.Lines.Length, 1, 20);
        Assert.Contains(recent.Lines, l => l.Contains("INF ChatCluster.Cmd: ccm audit: ", StringComparison.Ordinal) && l.Contains("ran actor system", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_silent_client_should_be_closed_after_the_handshake_timeout()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", _node.Node.Commands.Port);
        var started = DateTime.UtcNow;
        var read = await socket.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, read);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9));
    }

    [Fact]
    public async Task A_frame_longer_than_the_limit_should_be_refused_and_the_session_closed()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", _node.Node.Commands.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(new string('x', 4096)));
        var reply = await ReadAllAsync(stream);
        Assert.Equal(new CommandFrame.Denied("frame longer than 1024 bytes (chatcluster.cmd.max-line-bytes)").ToJson() + "\n", reply);
    }

    [Fact]
    public async Task Sessions_past_max_sessions_should_be_told_and_closed()
    {
        var held = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var client = new TcpClient();
                held.Add(client);
                await client.ConnectAsync("127.0.0.1", _node.Node.Commands.Port);
                await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(new CommandFrame.Hello(TokenNodeFixture.Token, "test").ToJson() + "\n"));
                var welcome = await new StreamReader(client.GetStream()).ReadLineAsync().WaitAsync(Timeouts.Expect);
                Assert.IsType<CommandFrame.Welcome>(CommandFrame.Parse(welcome!));
            }
            var third = await CcmProcess.RunAsync(_node.Target, "cluster", "show", "--token", TokenNodeFixture.Token);
            Assert.Equal(3, third.ExitCode);
            Assert.Contains("too many ccm sessions", third.Err);
        }
        finally
        {
            foreach (var c in held) c.Dispose();
        }
        await Eventually.TrueAsync(async () => (await CcmProcess.RunAsync(_node.Target, "cluster", "show", "--token", TokenNodeFixture.Token)).ExitCode == 0,
            "a slot is free again once the held sessions closed");
    }

    [Fact]
    public async Task A_non_loopback_listener_without_a_token_should_refuse_to_start()
    {
        var (exitCode, output) = await NodeProcess.RunToExitAsync(TimeSpan.FromSeconds(60), "--cmd-host", "0.0.0.0", "--cmd-port", "0", "--tcp-port", "0", "--web-port", "0");
        Assert.Equal(1, exitCode);
        Assert.Contains("chatcluster.cmd.host = 0.0.0.0 is not a loopback address and no token is set", output);
    }

    private static async Task<string> ReadAllAsync(NetworkStream stream)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        int n;
        while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        return text.ToString();
    }
}

/// <summary>`ccm node drain` against a node process: progress lines, the client's goodbye, the process ends.</summary>
[Collection("cluster")]
public sealed class CcmDrainTests
{
    [Fact]
    public async Task Node_drain_should_stream_progress_say_goodbye_and_end_the_node_process()
    {
        await using var node = await NodeProcess.StartAsync();
        await using var client = await (await TcpTestClient.ConnectAsync(node.TcpPort)).Welcomed();
        await client.ReadUntilAsync(m => (string?)m["context"] == "response", sendFirst: "roomAdd defaultRoom");

        var drain = await CcmProcess.RunAsync($"127.0.0.1:{node.CmdPort}", "node", "drain", "--timeout", "20s");
        Assert.True(drain.ExitCode == 0, drain.ToString());
        Assert.StartsWith("draining akka.tcp://chatcluster@", drain.Lines[0]);
        Assert.Contains(": 1 connections, stop accepting", drain.Lines[0]);
        Assert.Contains("goodbye sent: every client disconnected", drain.Lines);
        Assert.StartsWith("left the cluster; drained in ", drain.Lines[^1]);
        Assert.Contains("{\"status\":\"Bye!\",\"context\":\"api\"}", await client.ReadToEndAsync());
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
