using System.Net;
using Akka.Configuration;

namespace ChatCluster.Node.Commands;

/// <summary>
/// <c>chatcluster.cmd</c>: the ccm command listener, checked once at start. A listener on a non-loopback address
/// without a token refuses to start: admin verbs must never be open to the network. The token comes from the
/// environment variable named by <c>token-env</c>, else <c>token-file</c>, else <c>token</c>.
/// </summary>
public sealed record CmdSettings(
    bool Enabled,
    string Host,
    int Port,
    string Token,
    bool ReadOnly,
    int MaxSessions,
    int MaxLineBytes,
    TimeSpan HandshakeTimeout,
    TimeSpan IdleTimeout,
    TimeSpan WriteTimeout,
    TimeSpan CommandTimeout,
    int MaxQueuedLines,
    int RecentLogLines)
{
    public bool HasToken => Token.Length > 0;

    public IPAddress Address => Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(Host);

    public static CmdSettings Create(Config root, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var c = root.GetConfig("chatcluster.cmd") ?? throw new ConfigurationException("missing section: chatcluster.cmd");
        var host = c.GetString("host");
        if (host != "localhost" && !IPAddress.TryParse(host, out _))
            throw new ConfigurationException($"chatcluster.cmd.host must be an IP address or localhost, was {host}");
        var token = c.GetString("token") ?? "";
        var file = c.GetString("token-file") ?? "";
        if (file.Length > 0)
        {
            if (!File.Exists(file)) throw new ConfigurationException($"chatcluster.cmd.token-file: file not found: {file}");
            token = File.ReadAllText(file).Trim();
        }
        var envName = c.GetString("token-env") ?? "";
        if (envName.Length > 0 && environment(envName) is { Length: > 0 } fromEnv) token = fromEnv.Trim();

        var settings = new CmdSettings(
            Enabled: c.GetBoolean("enabled"),
            Host: host,
            Port: c.GetInt("port"),
            Token: token,
            ReadOnly: c.GetBoolean("read-only"),
            MaxSessions: c.GetInt("max-sessions"),
            MaxLineBytes: c.GetInt("max-line-bytes"),
            HandshakeTimeout: c.GetTimeSpan("handshake-timeout"),
            IdleTimeout: c.GetTimeSpan("idle-timeout"),
            WriteTimeout: c.GetTimeSpan("write-timeout"),
            CommandTimeout: c.GetTimeSpan("command-timeout"),
            MaxQueuedLines: c.GetInt("max-queued-lines"),
            RecentLogLines: c.GetInt("recent-log-lines"));
        settings.Validate();
        return settings;
    }

    private void Validate()
    {
        Check(Port is >= 0 and <= 65535, $"chatcluster.cmd.port must be 0..65535, was {Port}");
        Check(MaxSessions > 0, $"chatcluster.cmd.max-sessions must be positive, was {MaxSessions}");
        Check(MaxLineBytes >= 256, $"chatcluster.cmd.max-line-bytes must be at least 256, was {MaxLineBytes}");
        Check(HandshakeTimeout > TimeSpan.Zero, "chatcluster.cmd.handshake-timeout must be positive");
        Check(IdleTimeout > TimeSpan.Zero, "chatcluster.cmd.idle-timeout must be positive");
        Check(WriteTimeout > TimeSpan.Zero, "chatcluster.cmd.write-timeout must be positive");
        Check(CommandTimeout > TimeSpan.Zero, "chatcluster.cmd.command-timeout must be positive");
        Check(MaxQueuedLines > 0, $"chatcluster.cmd.max-queued-lines must be positive, was {MaxQueuedLines}");
        Check(RecentLogLines > 0, $"chatcluster.cmd.recent-log-lines must be positive, was {RecentLogLines}");
        // The one rule that protects the cluster: an admin port reachable from the network needs a token.
        Check(!Enabled || HasToken || IPAddress.IsLoopback(Address),
            $"chatcluster.cmd.host = {Host} is not a loopback address and no token is set: refusing to open the ccm listener " +
            "(set chatcluster.cmd.token, token-file or the token-env variable, or bind 127.0.0.1)");
    }

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ConfigurationException(message);
    }
}
