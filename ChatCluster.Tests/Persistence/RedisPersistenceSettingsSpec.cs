using Akka.Configuration;
using ChatCluster.Persistence.Redis;

namespace ChatCluster.Tests.Persistence;

/// <summary>The plugins' HOCON: every default, and the start-up errors.</summary>
public sealed class RedisPersistenceSettingsSpec
{
    private static Config Section(string pluginId, string overrides = "") =>
        ConfigurationFactory.ParseString(overrides).WithFallback(RedisPersistence.DefaultConfig().GetConfig(pluginId));

    [Theory]
    [InlineData(RedisPersistence.JournalPluginId, "ChatCluster.Persistence.Redis.RedisJournal, ChatCluster.Persistence.Redis")]
    [InlineData(RedisPersistence.SnapshotStorePluginId, "ChatCluster.Persistence.Redis.RedisSnapshotStore, ChatCluster.Persistence.Redis")]
    public void Settings_should_have_the_documented_defaults(string pluginId, string pluginClass)
    {
        var section = RedisPersistence.DefaultConfig().GetConfig(pluginId);
        Assert.Equal(pluginClass, section.GetString("class"));
        Assert.NotNull(Type.GetType(pluginClass));
        Assert.Equal("", section.GetString("configuration-string"));

        var settings = new RedisPersistenceSettings(Section(pluginId, "configuration-string = \"127.0.0.1:6379\""), pluginId);
        Assert.Equal("127.0.0.1:6379", settings.ConfigurationString);
        Assert.Equal(0, settings.Database);
        Assert.False(settings.UseDatabaseNumberFromConnectionString);
        Assert.Equal("", settings.KeyPrefix);
        Assert.Equal("akka.actor.default-dispatcher", settings.PluginDispatcher);
        Assert.False(settings.RedisOptions.AbortOnConnectFail);
    }

    [Fact]
    public void Settings_should_fail_without_a_configuration_string_naming_the_key()
    {
        var e = Assert.Throws<ConfigurationException>(() => new RedisPersistenceSettings(Section(RedisPersistence.JournalPluginId), RedisPersistence.JournalPluginId));
        Assert.Contains("akka.persistence.journal.redis.configuration-string", e.Message);
    }

    [Fact]
    public void Settings_should_force_abort_connect_off_and_read_every_key()
    {
        var settings = new RedisPersistenceSettings(Section(RedisPersistence.JournalPluginId,
            """configuration-string = "127.0.0.1:1,abortConnect=true,defaultDatabase=5", database = 3, key-prefix = "chat:" """));
        Assert.False(settings.RedisOptions.AbortOnConnectFail);
        Assert.Equal(3, settings.Database);
        Assert.Equal("chat:", settings.KeyPrefix);
    }

    [Fact]
    public void Settings_should_take_the_database_from_the_connection_string_when_asked()
    {
        var settings = new RedisPersistenceSettings(Section(RedisPersistence.SnapshotStorePluginId,
            """configuration-string = "127.0.0.1:1,defaultDatabase=5", database = 3, use-database-number-from-connection-string = on"""),
            RedisPersistence.SnapshotStorePluginId);
        Assert.Equal(5, settings.Database);
    }

    [Fact]
    public void Keys_should_follow_the_documented_layout()
    {
        var keys = new RedisKeys("chat:");
        Assert.Equal("chat:journal:persisted:room-1", keys.Events("room-1"));
        Assert.Equal("chat:journal:persisted:room-1:highestSequenceNr", keys.HighestSequenceNr("room-1"));
        Assert.Equal("chat:snapshot:room-1", keys.Snapshots("room-1"));
    }

    [Fact]
    public void SnapshotEnvelope_should_round_trip_and_reject_unknown_versions()
    {
        var envelope = new SnapshotEnvelope("room-1", 42, 638000000000000000, 4711, "M", new byte[] { 1, 2, 3 });
        var bytes = envelope.ToBytes();
        var back = SnapshotEnvelope.FromBytes(bytes, "k");
        Assert.Equal((envelope.PersistenceId, envelope.SequenceNr, envelope.TimestampTicks, envelope.SerializerId, envelope.Manifest),
            (back.PersistenceId, back.SequenceNr, back.TimestampTicks, back.SerializerId, back.Manifest));
        Assert.Equal(envelope.Payload, back.Payload);

        bytes[0] = 99;
        var e = Assert.Throws<RedisPersistenceException>(() => SnapshotEnvelope.FromBytes(bytes, "chat:snapshot:room-1"));
        Assert.Contains("chat:snapshot:room-1", e.Message);
        Assert.Throws<RedisPersistenceException>(() => SnapshotEnvelope.FromBytes(envelope.ToBytes()[..10], "k"));
    }
}
