using Akka.Configuration;
using ChatCluster.Persistence.Redis;

namespace ChatCluster.Tests.Persistence;

/// <summary>ActorSystem config selecting both Redis plugins on a given server and key prefix.</summary>
public static class RedisPersistenceConfig
{
    public static Config For(string connectionString, string keyPrefix) =>
        ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.persistence {
              journal.plugin = "{{RedisPersistence.JournalPluginId}}"
              snapshot-store.plugin = "{{RedisPersistence.SnapshotStorePluginId}}"
              journal.redis { configuration-string = "{{connectionString}}", key-prefix = "{{keyPrefix}}" }
              snapshot-store.redis { configuration-string = "{{connectionString}}", key-prefix = "{{keyPrefix}}" }
            }
            akka.actor {
              serializers.throwing = "{{typeof(ThrowingSerializer).AssemblyQualifiedName}}"
              serialization-bindings { "{{typeof(NotSerializablePayload).AssemblyQualifiedName}}" = throwing }
              serialization-identifiers { "{{typeof(ThrowingSerializer).AssemblyQualifiedName}}" = 4790 }
            }
            """).WithFallback(RedisPersistence.DefaultConfig());
}
