using Akka.Configuration;
using ChatCluster.Persistence.Redis;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Persistence;

/// <summary>A plugin without <c>configuration-string</c> fails at start, and the logged error names the key.</summary>
public sealed class RedisMisconfiguredSpec : Akka.TestKit.Xunit2.TestKit
{
    public RedisMisconfiguredSpec() : base(ConfigurationFactory.ParseString(
        $"akka.persistence.journal.plugin = \"{RedisPersistence.JournalPluginId}\"").WithFallback(RedisPersistence.DefaultConfig()), "redis-misconfigured-spec")
    {
    }

    [Fact]
    public void Journal_should_fail_to_start_naming_the_missing_configuration_string()
    {
        var errors = CreateTestProbe();
        Sys.EventStream.Subscribe(errors.Ref, typeof(Akka.Event.Error));
        Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(RedisPersistence.JournalPluginId);
        errors.FishForMessage<Akka.Event.Error>(e => Flatten(e.Cause).Any(m => m.Contains("akka.persistence.journal.redis.configuration-string is empty")),
            Timeouts.Expect);
    }

    private static IEnumerable<string> Flatten(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e.Message;
    }
}
