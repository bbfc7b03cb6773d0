using Akka.Actor;
using Akka.Configuration;
using StackExchange.Redis;

namespace ChatCluster.Node.Core;

/// <summary>
/// <c>chatcluster.redis</c>: where ActionHero's key store and bus are, and how to speak on the bus.
/// <see cref="Enabled"/> is false when no keystore address is set (the embedded default).
/// </summary>
public sealed record RedisChatSettings(
    string Keystore,
    string PubSub,
    string Channel,
    string ServerToken,
    string ServerId,
    TimeSpan RpcTimeout,
    TimeSpan CommandTimeout,
    bool Journal,
    string JournalKeyPrefix,
    TimeSpan ForeignTokenWarningInterval,
    TimeSpan SubscribeRetryInterval)
{
    /// <summary>The role a node with an explicit <c>server-id</c> carries, so the other ChatCluster nodes know the id is theirs.</summary>
    public const string ServerIdRolePrefix = "chatcluster-server-id=";

    public bool Enabled => Keystore.Length > 0;

    public static RedisChatSettings Create(Config c)
    {
        var keystore = c.GetString("keystore", "")?.Trim() ?? "";
        var pubsub = c.GetString("pubsub", "")?.Trim() ?? "";
        var settings = new RedisChatSettings(
            Keystore: keystore,
            PubSub: pubsub.Length > 0 ? pubsub : keystore,
            Channel: c.GetString("channel", "actionhero"),
            ServerToken: c.GetString("server-token", "change-me"),
            ServerId: c.GetString("server-id", "")?.Trim() ?? "",
            RpcTimeout: c.GetTimeSpan("rpc-timeout", TimeSpan.FromSeconds(5)),
            CommandTimeout: c.GetTimeSpan("command-timeout", TimeSpan.FromSeconds(2)),
            Journal: c.GetBoolean("journal", true),
            JournalKeyPrefix: c.GetString("journal-key-prefix", "chatcluster:") ?? "",
            ForeignTokenWarningInterval: c.GetTimeSpan("foreign-token-warning-interval", TimeSpan.FromSeconds(60)),
            SubscribeRetryInterval: c.GetTimeSpan("subscribe-retry-interval", TimeSpan.FromSeconds(1)));
        if (settings.Enabled) settings.Validate();
        return settings;
    }

    /// <summary>The default server id: the node's cluster address without the protocol, e.g. <c>chatcluster@127.0.0.1:4053</c>.</summary>
    public static string DeriveServerId(Address address) => $"{address.System}@{address.Host}:{address.Port}";

    /// <summary>StackExchange.Redis options for one endpoint: never abort on a failed connect (reconnect in the
    /// background), fail commands at once while disconnected (local chat must not wait for Redis).</summary>
    public ConfigurationOptions Options(string connectionString, string clientName)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName ??= clientName;
        var ms = (int)CommandTimeout.TotalMilliseconds;
        options.AsyncTimeout = ms;
        options.SyncTimeout = ms;
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 2000);
        return options;
    }

    private void Validate()
    {
        foreach (var (key, value) in new[] { ("keystore", Keystore), ("pubsub", PubSub) })
        {
            try
            {
                ConfigurationOptions.Parse(value);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException)
            {
                throw new ConfigurationException($"chatcluster.redis.{key} \"{value}\" is not a valid StackExchange.Redis connection string: {e.Message}", e);
            }
        }
        if (Channel.Length == 0) throw new ConfigurationException("chatcluster.redis.channel must not be empty");
        if (RpcTimeout <= TimeSpan.Zero) throw new ConfigurationException("chatcluster.redis.rpc-timeout must be positive");
        if (CommandTimeout <= TimeSpan.Zero) throw new ConfigurationException("chatcluster.redis.command-timeout must be positive");
        if (SubscribeRetryInterval <= TimeSpan.Zero) throw new ConfigurationException("chatcluster.redis.subscribe-retry-interval must be positive");
        if (ForeignTokenWarningInterval <= TimeSpan.Zero)
            throw new ConfigurationException("chatcluster.redis.foreign-token-warning-interval must be positive");
    }
}
