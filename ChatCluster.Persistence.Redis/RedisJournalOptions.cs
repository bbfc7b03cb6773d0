using System.Text;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Hosting;

namespace ChatCluster.Persistence.Redis;

/// <summary>
/// The Redis journal for Akka.Hosting (<c>builder.WithJournalAndSnapshot(journal, snapshot)</c>): the keys a host
/// sets, over the defaults of reference.conf (every key commented there). Only the keys given here are written.
/// </summary>
public sealed class RedisJournalOptions : JournalOptions
{
    /// <param name="isDefault">true: this journal is <c>akka.persistence.journal.plugin</c>.</param>
    /// <param name="identifier">HOCON name under <c>akka.persistence.journal</c>; "redis" is reference.conf's.</param>
    public RedisJournalOptions(bool isDefault = true, string identifier = "redis") : base(isDefault) => Identifier = identifier;

    public override string Identifier { get; set; }

    /// <summary>StackExchange.Redis connection string (<c>configuration-string</c>); required.</summary>
    public string ConfigurationString { get; set; } = "";

    /// <summary>Prepended to every key (<c>key-prefix</c>); null keeps the default (none).</summary>
    public string? KeyPrefix { get; set; }

    /// <summary>Redis database number (<c>database</c>); null keeps the default (0).</summary>
    public int? Database { get; set; }

    protected override Config InternalDefaultConfig => RedisPersistence.DefaultConfig().GetConfig(RedisPersistence.JournalPluginId);

    protected override StringBuilder Build(StringBuilder sb) => base.Build(RedisPluginHocon.Append(sb, ConfigurationString, KeyPrefix, Database));
}
