using Akka.Configuration;
using StackExchange.Redis;

namespace ChatCluster.Persistence.Redis;

/// <summary>
/// Settings of one Redis plugin, read from the plugin's own HOCON section (the <c>Config</c> Akka passes to the
/// plugin's constructor). Missing keys fall back to reference.conf (<see cref="RedisPersistence.DefaultConfig"/>),
/// where every default is declared and explained.
/// </summary>
public sealed class RedisPersistenceSettings
{
    /// <param name="config">The plugin section, e.g. the contents of <c>akka.persistence.journal.redis</c>.</param>
    /// <param name="pluginId">The section's path, used in error messages only.</param>
    public RedisPersistenceSettings(Config config, string pluginId = RedisPersistence.JournalPluginId)
    {
        ArgumentNullException.ThrowIfNull(config);
        PluginId = pluginId;
        var defaults = RedisPersistence.DefaultConfig().GetConfig(
            pluginId.StartsWith("akka.persistence.snapshot-store", StringComparison.Ordinal)
                ? RedisPersistence.SnapshotStorePluginId
                : RedisPersistence.JournalPluginId);
        var c = config.WithFallback(defaults);

        ConfigurationString = c.GetString("configuration-string", "") ?? "";
        if (string.IsNullOrWhiteSpace(ConfigurationString))
            throw new ConfigurationException(
                $"{pluginId}.configuration-string is empty: set it to a StackExchange.Redis connection string, e.g. \"127.0.0.1:6379\"");
        try
        {
            RedisOptions = ConfigurationOptions.Parse(ConfigurationString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException)
        {
            throw new ConfigurationException($"{pluginId}.configuration-string \"{ConfigurationString}\" is not a valid StackExchange.Redis connection string: {e.Message}", e);
        }
        // Redis being down at start must not kill the plugin: operations fail (bounded by asyncTimeout) until it is back.
        RedisOptions.AbortOnConnectFail = false;

        UseDatabaseNumberFromConnectionString = c.GetBoolean("use-database-number-from-connection-string", false);
        Database = UseDatabaseNumberFromConnectionString ? RedisOptions.DefaultDatabase ?? 0 : c.GetInt("database", 0);
        if (Database < 0)
            throw new ConfigurationException($"{pluginId}.database = {Database}: a Redis database number cannot be negative");
        KeyPrefix = c.GetString("key-prefix", "") ?? "";
        PluginDispatcher = c.GetString("plugin-dispatcher", "akka.actor.default-dispatcher") ?? "akka.actor.default-dispatcher";
    }

    /// <summary>HOCON path of the plugin section these settings came from.</summary>
    public string PluginId { get; }

    /// <summary><c>configuration-string</c>: the StackExchange.Redis connection string as configured.</summary>
    public string ConfigurationString { get; }

    /// <summary>The parsed connection string, with abortConnect forced off.</summary>
    public ConfigurationOptions RedisOptions { get; }

    /// <summary>The database actually used: <c>database</c>, or the connection string's when
    /// <c>use-database-number-from-connection-string</c> is on.</summary>
    public int Database { get; }

    /// <summary><c>use-database-number-from-connection-string</c>.</summary>
    public bool UseDatabaseNumberFromConnectionString { get; }

    /// <summary><c>key-prefix</c>: prepended to every key.</summary>
    public string KeyPrefix { get; }

    /// <summary><c>plugin-dispatcher</c> (Akka applies it when it creates the plugin actor).</summary>
    public string PluginDispatcher { get; }
}
