using System.Text;
using Akka.Configuration;
using Akka.Persistence.Hosting;

namespace ChatCluster.Persistence.Redis;

/// <summary>The Redis snapshot store for Akka.Hosting, the pair of <see cref="RedisJournalOptions"/>.</summary>
public sealed class RedisSnapshotOptions : SnapshotOptions
{
    /// <param name="isDefault">true: this store is <c>akka.persistence.snapshot-store.plugin</c>.</param>
    /// <param name="identifier">HOCON name under <c>akka.persistence.snapshot-store</c>; "redis" is reference.conf's.</param>
    public RedisSnapshotOptions(bool isDefault = true, string identifier = "redis") : base(isDefault) => Identifier = identifier;

    public override string Identifier { get; set; }

    /// <summary>StackExchange.Redis connection string (<c>configuration-string</c>); required.</summary>
    public string ConfigurationString { get; set; } = "";

    /// <summary>Prepended to every key (<c>key-prefix</c>); null keeps the default (none).</summary>
    public string? KeyPrefix { get; set; }

    /// <summary>Redis database number (<c>database</c>); null keeps the default (0).</summary>
    public int? Database { get; set; }

    protected override Config InternalDefaultConfig => RedisPersistence.DefaultConfig().GetConfig(RedisPersistence.SnapshotStorePluginId);

    protected override StringBuilder Build(StringBuilder sb) => base.Build(RedisPluginHocon.Append(sb, ConfigurationString, KeyPrefix, Database));
}
