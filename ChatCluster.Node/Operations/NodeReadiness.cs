using Akka.Actor;
using Akka.Cluster;
using ChatCluster.Node.Redis;

namespace ChatCluster.Node.Operations;

/// <summary>
/// Whether this node should be sent new clients: its cluster member is Up (not joining, leaving or exiting), its
/// listeners are bound, its starting rooms exist, Redis is connected when configured, and it is not draining.
/// Read by <c>/healthz/ready</c> on every probe; written once by each start step and by the drain.
/// </summary>
public sealed class NodeReadiness
{
    private readonly ActorSystem _system;
    private volatile bool _listening;
    private volatile bool _roomsCreated;
    private volatile bool _draining;
    private volatile RedisChatAdapter? _redis;

    public NodeReadiness(ActorSystem system) => _system = system;

    public bool Draining => _draining;

    public void ListenersBound() => _listening = true;

    public void StartingRoomsCreated() => _roomsCreated = true;

    public void RedisConfigured(RedisChatAdapter redis) => _redis = redis;

    public void Drain() => _draining = true;

    /// <summary>What keeps the node from being ready; empty when it is ready.</summary>
    public IReadOnlyList<string> Missing()
    {
        var missing = new List<string>();
        if (_draining) missing.Add("draining");
        var status = _system.WhenTerminated.IsCompleted ? (MemberStatus?)null : Cluster.Get(_system).SelfMember.Status;
        if (status != MemberStatus.Up) missing.Add($"cluster member {(status?.ToString() ?? "stopped").ToLowerInvariant()}, not up");
        if (!_listening) missing.Add("listeners not bound");
        if (!_roomsCreated) missing.Add("starting rooms not created");
        if (_redis is { } redis && !(redis.KeyStoreConnected && redis.PubSubConnected)) missing.Add("redis not connected");
        return missing;
    }
}
