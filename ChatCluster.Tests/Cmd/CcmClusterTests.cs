using System.Text.Json.Nodes;
using ChatCluster.Tests.Support;
using Xunit.Abstractions;

namespace ChatCluster.Tests.Cmd;

/// <summary>
/// ccm run as a process against a real seed and two workers (node processes): pbm's cluster verbs, the chat verbs
/// against what clients on other nodes see, the interactive form, --json.
/// </summary>
[Collection("cluster")]
public sealed class CcmClusterTests : IClassFixture<CcmClusterFixture>
{
    private readonly CcmClusterFixture _cluster;
    private readonly ITestOutputHelper _output;

    public CcmClusterTests(CcmClusterFixture cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private Task<CcmResult> Ccm(NodeProcess node, params string[] args) =>
        CcmProcess.RunAsync(new[] { $"127.0.0.1:{node.CmdPort}" }.Concat(args));

    private async Task<CcmResult> Ok(NodeProcess node, params string[] args)
    {
        var result = await Ccm(node, args);
        _output.WriteLine($"$ ccm 127.0.0.1:{node.CmdPort} {string.Join(" ", args)}\n{result.Out}{result.Err}");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    [Fact]
    public async Task Cluster_show_should_list_three_up_nodes_in_pbm_lines_and_as_json()
    {
        var show = await Ok(_cluster.Seed, "cluster", "show");
        var members = show.Lines.Where(l => l.StartsWith("akka.tcp://chatcluster@", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, members.Count);
        foreach (var line in members)
            Assert.Matches(@"^akka\.tcp://chatcluster@127\.0\.0\.1:\d+ \| \[[^\]]*\] \| up \|  \| \d+\.\d+\.\d+$", line);
        Assert.Equal("Count: 3 nodes", show.Lines[^1]);
        Assert.Contains(members, l => l.StartsWith(_cluster.SeedAddress + " ", StringComparison.Ordinal));

        var json = (await Ok(_cluster.Worker1, "cluster", "show", "--json")).Json;
        Assert.Equal(3, json.Count(o => (string?)o["status"] == "up" && (bool?)o["reachable"] == true));
        Assert.Equal(3, (int)json[^1]["count"]!);

        var leader = await Ok(_cluster.Worker2, "cluster", "leader");
        Assert.Contains(leader.Lines[0], members.Select(m => m.Split(' ')[0]));
    }

    [Fact]
    public async Task Chat_rooms_and_chat_room_should_agree_with_roomView()
    {
        var room = "ccm-" + Guid.NewGuid().ToString("N")[..8];
        await Ok(_cluster.Seed, "chat", "create", "-r", room);
        await using var a = await (await TcpTestClient.ConnectAsync(_cluster.Worker1.TcpPort)).Welcomed();
        await using var b = await (await TcpTestClient.ConnectAsync(_cluster.Worker2.TcpPort)).Welcomed();
        foreach (var c in new[] { a, b })
            Assert.Equal("OK", (string?)(await c.ReadUntilAsync(m => (string?)m["context"] == "response", sendFirst: $"roomAdd {room}"))["status"]);

        var view = await a.ReadUntilAsync(m => m["data"]?["membersCount"] is not null, sendFirst: $"roomView {room}");
        var viewIds = view["data"]!["members"]!.AsObject().Select(kv => kv.Key).Order().ToList();
        Assert.Equal(2, viewIds.Count);

        var members = (await Ok(_cluster.Seed, "chat", "room", "-r", room, "--json")).Json;
        var listed = members.Where(o => o["id"] is not null).ToList();
        Assert.Equal(viewIds, listed.Select(o => (string)o["id"]!).Order().ToList());
        // each member is shown on the node that holds its socket, with the joinedAt roomView reports
        var nodes = new[] { await CcmClusterFixture.AddressOfAsync(_cluster.Worker1), await CcmClusterFixture.AddressOfAsync(_cluster.Worker2) };
        Assert.Equal(nodes.Order(), listed.Select(o => (string)o["node"]!).Order());
        foreach (var m in listed)
            Assert.Equal((long)view["data"]!["members"]![(string)m["id"]!]!["joinedAt"]!, (long)m["joinedAt"]!);

        var rooms = await Ok(_cluster.Worker2, "chat", "rooms");
        var line = Assert.Single(rooms.Lines, l => l.StartsWith(room + " | ", StringComparison.Ordinal));
        Assert.Matches($@"^{room} \| 2 members \| shard \d+ \| akka\.tcp://chatcluster@127\.0\.0\.1:\d+$", line);

        await Ok(_cluster.Seed, "chat", "destroy", "-r", room);
        await a.ReadUntilAsync(m => (string?)m["message"] == "this room has been deleted" || (string?)m["error"] == "this room has been deleted" || m.ToJsonString().Contains("this room has been deleted"));
        var gone = await Ccm(_cluster.Seed, "chat", "room", "-r", room);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("room does not exist", gone.Err);
    }

    [Fact]
    public async Task Chat_send_broadcast_and_kick_should_reach_a_client_on_another_node()
    {
        var room = "ccm-" + Guid.NewGuid().ToString("N")[..8];
        await Ok(_cluster.Seed, "chat", "create", "-r", room);
        await using var client = await (await TcpTestClient.ConnectAsync(_cluster.Worker2.TcpPort)).Welcomed();
        await client.ReadUntilAsync(m => (string?)m["context"] == "response", sendFirst: $"roomAdd {room}");
        var id = (string)(await Ok(_cluster.Seed, "chat", "room", "-r", room, "--json")).Json[0]["id"]!;

        await Ok(_cluster.Seed, "chat", "send", "-c", id, "-m", """{"notice":"from ccm"}""");
        Assert.Equal("from ccm", (string?)(await client.ReadUntilAsync(m => m["notice"] is not null))["notice"]);

        await Ok(_cluster.Worker1, "chat", "broadcast", "-r", room, "-m", "maintenance at noon");
        var said = await client.ReadUntilAsync(m => (string?)m["context"] == "user");
        Assert.Equal("maintenance at noon", (string?)said["message"]);
        Assert.Equal("0", (string?)said["from"]);

        await Ok(_cluster.Seed, "chat", "kick", "-c", id, "-r", room);
        await Eventually.TrueAsync(async () => (await Ccm(_cluster.Seed, "chat", "room", "-r", room)).Lines.Contains("Count: 0 members"), "kicked out of the room");

        await Ok(_cluster.Seed, "chat", "kick", "-c", id);
        Assert.Contains("{\"status\":\"Bye!\",\"context\":\"api\"}", await client.ReadToEndAsync());
        var again = await Ccm(_cluster.Seed, "chat", "kick", "-c", id);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("connection not found", again.Err);
    }

    [Fact]
    public async Task An_interactive_session_through_stdin_should_answer_help_and_two_verbs()
    {
        var target = $"127.0.0.1:{_cluster.Worker1.CmdPort}";
        var session = await CcmProcess.RunAsync(new[] { target }, stdin: "help\ncluster show\nchat rooms --json\nexit\n");
        _output.WriteLine(session.ToString());
        Assert.Equal(0, session.ExitCode);
        var prompt = $"[{target}] ccm> ";
        Assert.Equal(4, session.Out.Split(prompt).Length - 1);
        foreach (var palette in new[] { "actor:", "cluster:", "cluster-sharding:", "log:", "node:", "chat:" })
            Assert.Contains(session.Lines, l => l.StartsWith(palette, StringComparison.Ordinal));
        Assert.Contains("Count: 3 nodes", session.Lines);
        Assert.Contains(session.Lines, l => l.StartsWith("{\"count\":", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Usage_errors_should_exit_2_and_an_unreachable_port_3()
    {
        var missing = await Ccm(_cluster.Seed, "chat", "room");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--room", missing.Err);
        Assert.Equal(2, (await Ccm(_cluster.Seed, "nosuch", "verb")).ExitCode);
        Assert.Equal(2, (await Ccm(_cluster.Seed, "cluster", "nosuch")).ExitCode);
        Assert.Equal(2, (await Ccm(_cluster.Seed, "log", "set-level", "-l", "loud")).ExitCode);
        Assert.Equal(3, (await CcmProcess.RunAsync($"127.0.0.1:{FreePort.Next()}", "cluster", "show")).ExitCode);
    }

    [Fact]
    public async Task Leave_crash_and_down_unreachable_should_show_in_cluster_show_and_cluster_tail()
    {
        await using var leaving = await _cluster.StartWorkerAsync();
        await using var crashing = await _cluster.StartWorkerAsync();
        await _cluster.WaitForUpAsync(5);
        var leavingAddress = await CcmClusterFixture.AddressOfAsync(leaving);
        var crashingAddress = await CcmClusterFixture.AddressOfAsync(crashing);
        await using var tail = CcmProcess.Start(new[] { _cluster.SeedTarget, "cluster", "tail" });
        await tail.WaitForOutputAsync("MemberUp: " + crashingAddress);

        // cluster leave of a worker: its client gets its goodbye, its room moves with the members elsewhere
        var room = "ccm-" + Guid.NewGuid().ToString("N")[..8];
        await Ok(_cluster.Seed, "chat", "create", "-r", room);
        await using var onLeaving = await (await TcpTestClient.ConnectAsync(leaving.TcpPort)).Welcomed();
        await using var onSeed = await (await TcpTestClient.ConnectAsync(_cluster.Seed.TcpPort)).Welcomed();
        foreach (var c in new[] { onLeaving, onSeed })
            await c.ReadUntilAsync(m => (string?)m["context"] == "response", sendFirst: $"roomAdd {room}");
        var leave = await Ok(_cluster.Seed, "cluster", "leave", "-a", leavingAddress);
        Assert.Contains($"{leavingAddress} has left the cluster", leave.Lines);
        Assert.Contains("{\"status\":\"Bye!\",\"context\":\"api\"}", await onLeaving.ReadToEndAsync());
        Assert.Equal(0, await leaving.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var members = await onSeed.ReadUntilAsync(m => m["data"]?["membersCount"] is not null, sendFirst: $"roomView {room}");
        Assert.Equal(1, (int)members["data"]!["membersCount"]!);
        var rooms = await Ok(_cluster.Seed, "chat", "rooms");
        Assert.DoesNotContain(rooms.Lines, l => l.EndsWith(" | " + leavingAddress, StringComparison.Ordinal));

        // kill -9 of a worker: unreachable, then removed by down-unreachable
        await crashing.KillAsync();
        await Eventually.TrueAsync(async () => (await Ccm(_cluster.Seed, "cluster", "show")).Lines
            .Any(l => l.StartsWith(crashingAddress + " ", StringComparison.Ordinal) && l.Contains("| unreachable |", StringComparison.Ordinal)),
            "the crashed worker is shown unreachable", TimeSpan.FromSeconds(30));
        var down = await Ok(_cluster.Seed, "cluster", "down-unreachable");
        Assert.Contains($"Downing {crashingAddress}", down.Lines);
        await Eventually.TrueAsync(async () => !(await Ccm(_cluster.Seed, "cluster", "show")).Out.Contains(crashingAddress, StringComparison.Ordinal),
            "the downed worker is gone from cluster show", TimeSpan.FromSeconds(30));
        await _cluster.WaitForUpAsync(3);

        await tail.WaitForOutputAsync("MemberRemoved: " + crashingAddress);
        var printed = await tail.StopAsync();
        _output.WriteLine(printed.Out);
        Assert.Equal(0, printed.ExitCode);
        Assert.Contains(printed.Lines, l => l.Contains("MemberLeft: " + leavingAddress, StringComparison.Ordinal) || l.Contains("MemberExited: " + leavingAddress, StringComparison.Ordinal));
        foreach (var expected in new[] { "MemberRemoved: " + leavingAddress, "UnreachableMember: " + crashingAddress, "MemberDowned: " + crashingAddress })
            Assert.Contains(printed.Lines, l => l.Contains(expected, StringComparison.Ordinal));
        var events = printed.Lines.Select(l => l.Split(' ')[1]).ToList();
        Assert.True(events.IndexOf("UnreachableMember:") < events.LastIndexOf("MemberRemoved:"), printed.Out);
    }
}
