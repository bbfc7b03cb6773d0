using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Serialization;
using ChatCluster.Cmd;
using ChatCluster.Messages.Commands;
using ChatCluster.Node.Commands;

namespace ChatCluster.Tests.Cmd;

/// <summary>ccm's command line, verb switches (System.CommandLine), shell words, completion, and the wire frames.</summary>
public sealed class CcmParsingSpec
{
    public static TheoryData<string, string[], string, string, bool, string?> InvocationCases => new()
    {
        // name, args, target, words, json, timeout
        { "bare ccm: default target, interactive", Array.Empty<string>(), "127.0.0.1:9110", "", false, null },
        { "target only: interactive", new[] { "10.0.0.5:9111" }, "10.0.0.5:9111", "", false, null },
        { "one shot", new[] { "127.0.0.1:9110", "cluster", "show" }, "127.0.0.1:9110", "cluster show", false, null },
        { "one shot on the default target", new[] { "cluster", "show" }, "127.0.0.1:9110", "cluster show", false, null },
        { "globals anywhere", new[] { "--json", "h:1", "chat", "room", "-r", "x", "--timeout", "5s" }, "h:1", "chat room -r x", true, "5s" },
        { "global with =", new[] { "h:2", "log", "recent", "--timeout=2m" }, "h:2", "log recent", false, "2m" },
        { "ipv6 target", new[] { "[::1]:9110", "node", "status" }, "::1:9110", "node status", false, null },
        { "a word without a port is a palette", new[] { "cluster-sharding", "regions" }, "127.0.0.1:9110", "cluster-sharding regions", false, null },
    };

    [Theory]
    [MemberData(nameof(InvocationCases))]
    public void Invocation_should_follow_pbms_forms(string name, string[] args, string target, string words, bool json, string? timeout)
    {
        var i = Invocation.Parse(args);
        Assert.True(target == i.Target, name);
        Assert.Equal(words, string.Join(" ", i.Words));
        Assert.Equal(json, i.Json);
        Assert.Equal(timeout, i.Timeout);
    }

    [Theory]
    [InlineData("--timeout")]
    [InlineData("--timeout", "soon")]
    [InlineData("--token")]
    public void Invocation_should_refuse_malformed_globals(params string[] args) =>
        Assert.Throws<UsageException>(() => Invocation.Parse(args));

    public static TheoryData<string, string, string[], string?, string> VerbCases => new()
    {
        // name, verb, tokens, error fragment, parsed args
        { "short switch", "chat room", new[] { "-r", "lobby" }, null, "room=lobby" },
        { "long switch", "chat room", new[] { "--room", "lobby" }, null, "room=lobby" },
        { "long with =", "chat room", new[] { "--room=lobby" }, null, "room=lobby" },
        { "flag", "chat connection", new[] { "-c", "id1", "-p" }, null, "connection=id1,show-properties=true" },
        { "defaults left to the node", "log recent", Array.Empty<string>(), null, "" },
        { "missing mandatory", "chat room", Array.Empty<string>(), "'--room' is required", "" },
        { "unknown switch", "cluster show", new[] { "--nope" }, "--nope", "" },
        { "stray word", "cluster show", new[] { "extra" }, "extra", "" },
        { "value outside the allowed set", "log set-level", new[] { "-l", "loud" }, "loud", "" },
        { "json body with spaces", "chat send", new[] { "-c", "id1", "-m", "{\"a\": 1}" }, null, "connection=id1,message={\"a\": 1}" },
    };

    [Theory]
    [MemberData(nameof(VerbCases))]
    public void Verb_switches_should_parse_against_the_nodes_definition(string name, string verb, string[] tokens, string? error, string expected)
    {
        var parts = verb.Split(' ');
        var parsed = VerbParser.Parse(CommandTable.Find(parts[0], parts[1])!, tokens);
        if (error is not null)
        {
            Assert.True(parsed.Error?.Contains(error, StringComparison.Ordinal) == true, $"{name}: {parsed.Error}");
            return;
        }
        Assert.True(parsed.Error is null, $"{name}: {parsed.Error}");
        Assert.Equal(expected, string.Join(",", parsed.Args.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}")));
    }

    [Fact]
    public void Usage_should_show_mandatory_and_optional_switches()
    {
        Assert.Equal("chat kick -c|--connection CONNECTION [-r|--room ROOM]", VerbParser.Usage(CommandTable.Find("chat", "kick")!));
        Assert.Equal("chat connection -c|--connection CONNECTION [-p|--show-properties]", VerbParser.Usage(CommandTable.Find("chat", "connection")!));
    }

    [Theory]
    [InlineData("cluster show", "cluster|show")]
    [InlineData("  chat   send -c x  ", "chat|send|-c|x")]
    [InlineData("chat send -m '{\"a\": 1}'", "chat|send|-m|{\"a\": 1}")]
    [InlineData("chat broadcast -m \"hi \\\"you\\\"\"", "chat|broadcast|-m|hi \"you\"")]
    [InlineData("a\\ b c", "a b|c")]
    [InlineData("x ''", "x|")]
    public void Shell_words_should_split_like_a_shell(string line, string words) =>
        Assert.Equal(words, string.Join("|", ShellWords.Split(line)!));

    [Fact]
    public void An_unclosed_quote_should_be_refused() => Assert.Null(ShellWords.Split("chat send -m '{"));

    [Theory]
    [InlineData("", "actor,chat,cluster,cluster-sharding,exit,help,log,node,quit")]
    [InlineData("clu", "cluster,cluster-sharding")]
    [InlineData("cluster ", "down,down-unreachable,join,leader,leave,show,status,tail")]
    [InlineData("cluster do", "down,down-unreachable")]
    [InlineData("chat room ", "--json,--room")]
    [InlineData("chat kick --connection x --", "--json,--room")]
    [InlineData("help c", "chat,cluster,cluster-sharding")]
    [InlineData("nosuch ", "")]
    public void Tab_should_complete_palettes_verbs_and_switches(string line, string expected) =>
        Assert.Equal(expected, string.Join(",", Completion.Candidates(line, CommandTable.All)));

    [Fact]
    public void Common_prefix_should_be_what_tab_inserts() =>
        Assert.Equal("down", Completion.CommonPrefix(new[] { "down", "down-unreachable" }));

    public static TheoryData<string, CommandFrame> Frames => new()
    {
        { "hello", new CommandFrame.Hello("t0k", "ccm/1.0.0") },
        { "hello without token", new CommandFrame.Hello(null, "ccm/1.0.0") },
        { "denied", new CommandFrame.Denied("not authorized") },
        { "run", new CommandFrame.Run(7, "chat", "room", new Dictionary<string, string> { ["room"] = "lobby" }) },
        { "cancel", new CommandFrame.Cancel(7) },
        { "line", new CommandFrame.Line(7, "a | b", new JsonObject { ["n"] = 1 }) },
        { "line without data", new CommandFrame.Line(7, "text", null) },
        { "end ok", new CommandFrame.End(7, CommandFrame.End.Ok, null) },
        { "end error", new CommandFrame.End(7, CommandFrame.End.Failed, "room does not exist") },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void Frames_should_round_trip_through_one_json_line(string name, CommandFrame frame)
    {
        var json = frame.ToJson();
        Assert.DoesNotContain('\n', json);
        Assert.True(json == CommandFrame.Parse(json).ToJson(), name);
    }

    [Fact]
    public void The_welcome_should_carry_the_whole_table()
    {
        var welcome = new CommandFrame.Welcome("akka.tcp://x@h:1", "1.0.0", CommandTable.All);
        var back = Assert.IsType<CommandFrame.Welcome>(CommandFrame.Parse(welcome.ToJson()));
        Assert.Equal(welcome.ToJson(), back.ToJson());
        Assert.True(back.Palettes.Single(p => p.Name == "chat").Command("send")!.Switch("m")!.IsBody);
    }

    [Theory]
    [InlineData("not json", "bad frame")]
    [InlineData("[1]", "a frame must be a JSON object")]
    [InlineData("{}", "a frame needs a \"type\"")]
    [InlineData("{\"type\":\"run\",\"palette\":\"a\",\"verb\":\"b\"}", "a frame needs a numeric \"id\"")]
    [InlineData("{\"type\":\"run\",\"id\":1,\"palette\":\"a\",\"verb\":\"b\",\"args\":{\"x\":1}}", "argument x must be a string")]
    [InlineData("{\"type\":\"shout\"}", "unknown frame type \"shout\"")]
    public void Bad_frames_should_be_refused_with_a_reason(string line, string reason)
    {
        var e = Assert.Throws<FormatException>(() => CommandFrame.Parse(line));
        Assert.Contains(reason == "bad frame" ? "not JSON" : reason, e.Message);
    }

    [Fact]
    public void Peer_messages_should_round_trip_through_their_serializer()
    {
        using var system = ActorSystem.Create("peer-serializer", ChatCluster.Tests.Support.TestConfig.Load());
        var serialization = system.Serialization;
        foreach (object message in new object[]
        {
            new PeerProtocol.Query(PeerProtocol.Locate, new JsonObject { ["ids"] = new JsonArray("a", "b") }),
            new PeerProtocol.Answer(true, new JsonObject { ["node"] = "akka.tcp://x@h:1" }, null),
            new PeerProtocol.Answer(false, new JsonObject(), "room does not exist"),
        })
        {
            var serializer = serialization.FindSerializerFor(message);
            Assert.IsType<PeerMessageSerializer>(serializer);
            var bytes = serializer.ToBinary(message);
            var back = serialization.Deserialize(bytes, serializer.Identifier, Serialization.ManifestFor(serializer, message));
            Assert.Equal(new PeerMessageSerializer((ExtendedActorSystem)system).ToBinary(message), serializer.ToBinary(back));
        }
    }
}
