using Akka.Configuration;
using ChatCluster.Messages.Commands;
using ChatCluster.Node.Commands;
using ChatCluster.Node.Hosting;

namespace ChatCluster.Tests.Cmd;

/// <summary>The command table as data, the node's own check of switches, and the listener's settings.</summary>
public sealed class CommandTableSpec
{
    [Fact]
    public void The_table_should_have_pbms_palettes_and_the_issues_verbs()
    {
        Assert.Equal(new[] { "actor", "cluster", "cluster-sharding", "log", "node", "chat" }, CommandTable.All.Select(p => p.Name));
        var verbs = CommandTable.All.SelectMany(p => p.Commands.Select(c => $"{p.Name} {c.Name}")).ToList();
        Assert.Equal(new[]
        {
            "actor system", "actor hierarchy",
            "cluster show", "cluster status", "cluster leader", "cluster leave", "cluster join", "cluster down", "cluster down-unreachable", "cluster tail",
            "cluster-sharding regions", "cluster-sharding region-stats", "cluster-sharding shard-stats",
            "log recent", "log tail", "log set-level",
            "node status", "node drain",
            "chat rooms", "chat room", "chat create", "chat destroy", "chat connections", "chat connection", "chat send", "chat broadcast", "chat kick", "chat set",
        }, verbs);
    }

    [Fact]
    public void Every_verb_should_name_its_palette_and_have_distinct_switch_names_and_short_names()
    {
        foreach (var palette in CommandTable.All)
        foreach (var command in palette.Commands)
        {
            Assert.Equal(palette.Name, command.Palette);
            Assert.Equal(command.Switches.Count, command.Switches.Select(s => s.Name).Distinct().Count());
            Assert.Equal(command.Switches.Count, command.Switches.Select(s => s.Short).Distinct().Count());
            Assert.All(command.Switches, s => Assert.False(s.Mandatory && s.Default is not null, $"{command.Name} --{s.Name}: mandatory with a default"));
        }
    }

    [Fact]
    public void Exactly_the_verbs_that_change_the_cluster_should_be_mutating_and_only_tails_streaming()
    {
        var mutating = CommandTable.All.SelectMany(p => p.Commands).Where(c => c.Mutating).Select(c => $"{c.Palette} {c.Name}");
        Assert.Equal(new[]
        {
            "cluster leave", "cluster join", "cluster down", "cluster down-unreachable", "log set-level", "node drain",
            "chat create", "chat destroy", "chat send", "chat broadcast", "chat kick", "chat set",
        }, mutating);
        Assert.Equal(new[] { "cluster tail", "log tail" }, CommandTable.All.SelectMany(p => p.Commands).Where(c => c.Streaming).Select(c => $"{c.Palette} {c.Name}"));
        // bodies are never audited
        Assert.Equal(new[] { "chat send --message", "chat broadcast --message", "chat set --value" },
            CommandTable.All.SelectMany(p => p.Commands).SelectMany(c => c.Switches.Where(s => s.IsBody).Select(s => $"{c.Palette} {c.Name} --{s.Name}")));
    }

    public static TheoryData<string, string, string[], string?, string> BindCases => new()
    {
        // name, verb, given (name=value), expected error, expected args after defaults
        { "defaults filled in", "log recent", Array.Empty<string>(), null, "count=50" },
        { "short name accepted", "log recent", new[] { "n=5" }, null, "count=5" },
        { "mandatory missing", "chat room", Array.Empty<string>(), "missing mandatory switch --room", "" },
        { "unknown switch", "cluster show", new[] { "x=1" }, "unknown switch --x", "" },
        { "value not allowed", "log set-level", new[] { "level=loud" }, "--level: loud is not one of trace, debug, information, warning, error", "" },
        { "allowed value", "log set-level", new[] { "l=debug" }, null, "level=debug" },
        { "optional without default stays unset", "cluster leave", Array.Empty<string>(), null, "" },
        { "two defaults", "actor hierarchy", Array.Empty<string>(), null, "depth=2,path=/user" },
    };

    [Theory]
    [MemberData(nameof(BindCases))]
    public void Bind_should_check_switches_and_fill_defaults(string name, string verb, string[] given, string? error, string expected)
    {
        var parts = verb.Split(' ');
        var command = CommandTable.Find(parts[0], parts[1])!;
        var (args, refused) = CommandArgs.Bind(command, given.Select(g => g.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]));
        Assert.True(refused == error, $"{name}: {refused}");
        if (error is not null) return;
        var bound = string.Join(",", command.Switches.Where(s => args![s.Name] is not null).Select(s => $"{s.Name}={args![s.Name]}"));
        Assert.Equal(expected, bound);
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("0s", null)]
    [InlineData("soon", null)]
    [InlineData("-3s", null)]
    public void Durations_should_parse_like_hocon(string raw, int? milliseconds)
    {
        Assert.Equal(milliseconds, CommandArgs.ParseDuration(raw) is { } d ? (int)d.TotalMilliseconds : null);
        Assert.Equal(milliseconds, ChatCluster.Cmd.Invocation.ParseDuration(raw) is { } c ? (int)c.TotalMilliseconds : null);
    }

    [Fact]
    public void Audit_should_name_switches_and_redact_bodies()
    {
        var send = CommandTable.Find("chat", "send")!;
        Assert.Equal("--connection abc --message <13 chars>", CommandArgs.Describe(send, new Dictionary<string, string> { ["c"] = "abc", ["m"] = "{\"secret\":1}x" }));
    }

    [Fact]
    public void Cmd_settings_should_have_documented_defaults()
    {
        var s = CmdSettings.Create(NodeConfig.Load(Array.Empty<string>(), Array.Empty<string>()), _ => null);
        Assert.True(s.Enabled);
        Assert.Equal("127.0.0.1", s.Host);
        Assert.Equal(9110, s.Port);
        Assert.Equal("", s.Token);
        Assert.False(s.ReadOnly);
        Assert.Equal(8, s.MaxSessions);
        Assert.Equal(65536, s.MaxLineBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), s.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), s.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), s.WriteTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), s.CommandTimeout);
        Assert.Equal(10000, s.MaxQueuedLines);
        Assert.Equal(1000, s.RecentLogLines);
    }

    public static TheoryData<string, string, string?> BadSettings => new()
    {
        { "non-loopback without a token", "chatcluster.cmd.host = \"0.0.0.0\"", "chatcluster.cmd.host = 0.0.0.0 is not a loopback address and no token is set" },
        { "non-loopback with a token", "chatcluster.cmd { host = \"0.0.0.0\", token = \"t\" }", null },
        { "non-loopback while disabled", "chatcluster.cmd { host = \"0.0.0.0\", enabled = off }", null },
        { "not an address", "chatcluster.cmd.host = \"example\"", "chatcluster.cmd.host must be an IP address or localhost, was example" },
        { "port out of range", "chatcluster.cmd.port = 70000", "chatcluster.cmd.port must be 0..65535, was 70000" },
        { "no sessions", "chatcluster.cmd.max-sessions = 0", "chatcluster.cmd.max-sessions must be positive, was 0" },
        { "missing token file", "chatcluster.cmd.token-file = \"/nonexistent/ccm-token\"", "chatcluster.cmd.token-file: file not found: /nonexistent/ccm-token" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Cmd_settings_should_fail_at_start_naming_the_key(string name, string hocon, string? error)
    {
        var config = NodeConfig.Load(new[] { hocon }, Array.Empty<string>());
        if (error is null)
        {
            CmdSettings.Create(config, _ => null);
            return;
        }
        var e = Assert.Throws<ConfigurationException>(() => CmdSettings.Create(config, _ => null));
        Assert.True(e.Message.StartsWith(error, StringComparison.Ordinal), $"{name}: {e.Message}");
    }

    [Fact]
    public void The_token_should_come_from_the_environment_before_the_file_before_hocon()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "from-file\n");
            var config = NodeConfig.Load(new[] { $"chatcluster.cmd {{ token = \"from-hocon\", token-file = \"{file}\" }}" }, Array.Empty<string>());
            Assert.Equal("from-env", CmdSettings.Create(config, n => n == "CHATCLUSTER_CMD_TOKEN" ? "from-env" : null).Token);
            Assert.Equal("from-file", CmdSettings.Create(config, _ => null).Token);
            var hoconOnly = NodeConfig.Load(new[] { "chatcluster.cmd.token = \"from-hocon\"" }, Array.Empty<string>());
            Assert.Equal("from-hocon", CmdSettings.Create(hoconOnly, _ => null).Token);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
