using Akka.Configuration;

namespace ChatCluster.Persistence.Redis;

/// <summary>Entry point for hosts: the plugins' default HOCON (the embedded reference.conf).</summary>
public static class RedisPersistence
{
    /// <summary>HOCON path of the journal plugin.</summary>
    public const string JournalPluginId = "akka.persistence.journal.redis";

    /// <summary>HOCON path of the snapshot store plugin.</summary>
    public const string SnapshotStorePluginId = "akka.persistence.snapshot-store.redis";

    private const string ResourceName = "ChatCluster.Persistence.Redis.reference.conf";

    private static readonly Lazy<Config> Default = new(Load);

    /// <summary>
    /// The defaults of both plugins (every key commented in reference.conf). Use as a fallback:
    /// <c>hostConfig.WithFallback(RedisPersistence.DefaultConfig())</c>.
    /// </summary>
    public static Config DefaultConfig() => Default.Value;

    private static Config Load()
    {
        using var stream = typeof(RedisPersistence).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource '{ResourceName}' is missing from {typeof(RedisPersistence).Assembly.FullName}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
