using Akka.Configuration;
using ChatCluster.Persistence.Redis;

namespace ChatCluster.Tests.Persistence;

/// <summary>
/// RedisJournalOptions / RedisSnapshotOptions (Akka.Hosting's WithJournalAndSnapshot): the HOCON they write, over the
/// defaults of reference.conf, is what the plugins read.
/// </summary>
public sealed class RedisHostingOptionsTests
{
    private static Config Effective(Akka.Persistence.Hosting.JournalOptions options) => options.ToConfig().WithFallback(options.DefaultConfig);

    private static Config Effective(Akka.Persistence.Hosting.SnapshotOptions options) => options.ToConfig().WithFallback(options.DefaultConfig);

    [Fact]
    public void Journal_options_should_select_the_redis_journal_with_its_connection_and_keep_the_other_defaults()
    {
        var config = Effective(new RedisJournalOptions { ConfigurationString = "127.0.0.1:6379,connectTimeout=2000" });
        Assert.Equal(RedisPersistence.JournalPluginId, config.GetString("akka.persistence.journal.plugin"));
        var plugin = config.GetConfig(RedisPersistence.JournalPluginId);
        Assert.Equal("127.0.0.1:6379,connectTimeout=2000", plugin.GetString("configuration-string"));
        Assert.Equal("", plugin.GetString("key-prefix"));
        Assert.Equal(0, plugin.GetInt("database"));
        Assert.Equal("ChatCluster.Persistence.Redis.RedisJournal, ChatCluster.Persistence.Redis", plugin.GetString("class"));
    }

    [Theory]
    [InlineData("prefix only", "chat:", null, "chat:", 0)]
    [InlineData("database only", null, 3, "", 3)]
    [InlineData("both", "a:b:", 7, "a:b:", 7)]
    public void Key_prefix_and_database_should_reach_both_plugins(string name, string? prefix, int? database, string expectedPrefix, int expectedDatabase)
    {
        _ = name;
        var journal = Effective(new RedisJournalOptions { ConfigurationString = "r:1", KeyPrefix = prefix, Database = database })
            .GetConfig(RedisPersistence.JournalPluginId);
        var snapshots = Effective(new RedisSnapshotOptions { ConfigurationString = "r:1", KeyPrefix = prefix, Database = database })
            .GetConfig(RedisPersistence.SnapshotStorePluginId);
        foreach (var plugin in new[] { journal, snapshots })
        {
            Assert.Equal(expectedPrefix, plugin.GetString("key-prefix"));
            Assert.Equal(expectedDatabase, plugin.GetInt("database"));
        }
    }

    [Fact]
    public void A_non_default_journal_under_its_own_name_should_not_take_the_default_plugin()
    {
        var options = new RedisJournalOptions(isDefault: false, identifier: "rooms") { ConfigurationString = "r:1" };
        var config = options.ToConfig();
        Assert.Equal("akka.persistence.journal.rooms", options.PluginId);
        Assert.False(config.HasPath("akka.persistence.journal.plugin"));
        Assert.Equal("r:1", config.GetString("akka.persistence.journal.rooms.configuration-string"));
        Assert.Equal("ChatCluster.Persistence.Redis.RedisJournal, ChatCluster.Persistence.Redis",
            options.DefaultConfig.GetString("akka.persistence.journal.rooms.class"));
    }
}
