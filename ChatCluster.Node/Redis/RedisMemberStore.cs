using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ChatCluster.Node.Core;
using static ChatCluster.Messages.RoomProtocol;

namespace ChatCluster.Node.Redis;

/// <summary>
/// ActionHero's member hashes (<c>actionhero:chatRoom:members:&lt;room&gt;</c>): the node that holds a connection writes
/// its entry, as ActionHero does; the room removes entries of crashed nodes; one survivor sweeps a departed node.
/// </summary>
internal sealed class RedisMemberStore
{
    private readonly RedisLink _link;

    public RedisMemberStore(RedisLink link) => _link = link;

    private ILogger Log => _link.Log;

    /// <summary>HSET members:room id {"id","joinedAt","host"} (generateMemberDetails), after the room accepted the member.</summary>
    public void MemberJoined(string room, string connectionId, long joinedAt) =>
        _link.Quietly(_link.Db.HashSetAsync(RedisChatKeys.Members(room), connectionId, BusJson.MemberValue(connectionId, joinedAt, _link.ServerId)),
            "HSET", room, connectionId);

    /// <summary>HDEL members:room id (idempotent: the holding node and the room may both send it).</summary>
    public void MemberLeft(string room, string connectionId) =>
        _link.Quietly(_link.Db.HashDeleteAsync(RedisChatKeys.Members(room), connectionId), "HDEL", room, connectionId);

    /// <summary>
    /// roomStatus across both kinds of node: <paramref name="ours"/> (the room's own, exact view) plus every hash
    /// entry held by a node that is not ours. <c>{}</c> values count with id = the field and joinedAt 0.
    /// </summary>
    public async Task<IReadOnlyList<RoomMember>> MergeStatusAsync(string room, IReadOnlyList<RoomMember> ours)
    {
        if (!_link.KeyStore.IsConnected) return ours;
        HashEntry[] entries;
        try
        {
            entries = await _link.Db.HashGetAllAsync(RedisChatKeys.Members(room)).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisLink.IsFailure(e))
        {
            Log.LogDebug("HGETALL {Room} failed: {Error}", room, e.Message);
            return ours;
        }
        var merged = new List<RoomMember>(ours);
        var seen = new HashSet<string>(ours.Select(m => m.ConnectionId), StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var id = entry.Name.ToString();
            var (_, joinedAt, host) = BusJson.ParseMember(entry.Value.ToString());
            if (_link.IsOurs(host) || !seen.Add(id)) continue;
            merged.Add(new RoomMember(id, joinedAt ?? 0));
        }
        return merged;
    }

    /// <summary>Removes entries of ChatCluster nodes that are not <paramref name="live"/> (their node crashed). Never throws.</summary>
    public async Task PruneAsync(string room, IReadOnlyCollection<string> live)
    {
        if (!_link.KeyStore.IsConnected) return;
        try
        {
            var entries = await _link.Db.HashGetAllAsync(RedisChatKeys.Members(room)).ConfigureAwait(false);
            var stale = entries.Where(e => _link.IsOurs(BusJson.ParseMember(e.Value.ToString()).Host) && !live.Contains(e.Name.ToString()))
                .Select(e => e.Name).ToArray();
            if (stale.Length == 0) return;
            await _link.Db.HashDeleteAsync(RedisChatKeys.Members(room), stale).ConfigureAwait(false);
            Log.LogInformation("room {Room}: removed {Count} member(s) of crashed ChatCluster nodes from {Key}", room, stale.Length,
                RedisChatKeys.MembersPrefix + room);
        }
        catch (Exception e) when (RedisLink.IsFailure(e))
        {
            Log.LogDebug("pruning {Room} failed: {Error}", room, e.Message);
        }
    }

    /// <summary>
    /// A ChatCluster node was removed from the cluster (crashed and downed, or left): its entries leave every member hash.
    /// The rooms usually do it themselves (Terminated), but a leave that raced the crash, or a room that lived on that
    /// node, would leave entries behind. One survivor sweeps (the lowest address among the Up members). Never throws.
    /// </summary>
    public async Task SweepRemovedNodeAsync(Akka.Cluster.Member removed)
    {
        if (_link.System is not { } system) return;
        var cluster = Akka.Cluster.Cluster.Get(system);
        var sweeper = cluster.State.Members.Where(m => m.Status == Akka.Cluster.MemberStatus.Up && !m.Address.Equals(removed.Address))
            .Select(m => m.Address).OrderBy(a => a.ToString(), StringComparer.Ordinal).FirstOrDefault();
        if (sweeper is null || !sweeper.Equals(cluster.SelfAddress)) return;
        var role = removed.Roles.FirstOrDefault(r => r.StartsWith(RedisChatSettings.ServerIdRolePrefix, StringComparison.Ordinal));
        var serverId = role is not null ? role[RedisChatSettings.ServerIdRolePrefix.Length..] : RedisChatSettings.DeriveServerId(removed.Address);
        try
        {
            var removedCount = 0;
            foreach (var room in await _link.Db.SetMembersAsync(RedisChatKeys.RoomsKey).ConfigureAwait(false))
            {
                var key = RedisChatKeys.Members(room.ToString());
                var stale = (await _link.Db.HashGetAllAsync(key).ConfigureAwait(false))
                    .Where(e => BusJson.ParseMember(e.Value.ToString()).Host == serverId).Select(e => e.Name).ToArray();
                if (stale.Length == 0) continue;
                removedCount += (int)await _link.Db.HashDeleteAsync(key, stale).ConfigureAwait(false);
            }
            if (removedCount > 0) Log.LogInformation("removed {Count} member entries of the departed ChatCluster node {ServerId}", removedCount, serverId);
        }
        catch (Exception e) when (RedisLink.IsFailure(e))
        {
            Log.LogWarning("could not sweep the member entries of the departed node {ServerId}: {Error}", serverId, e.Message);
        }
    }
}
