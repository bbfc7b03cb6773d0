using ChatCluster.Messages;
using System.Text.Json.Nodes;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ChatCluster.Node.Redis;

/// <summary>
/// ActionHero's rooms SET (<c>actionhero:chatRoom:rooms</c>) as the cluster-wide truth about room existence in a mixed
/// cluster: written by the room actor (the room's single writer), read before joins, creates and destroys. An empty SET
/// is lost data (a restart or flush), never "every room destroyed": while the rooms are written back, no answer from
/// it is trusted.
/// </summary>
internal sealed class RedisRoomStore
{
    private readonly RedisLink _link;
    private readonly RedisRpcClient _rpc;
    // 1 while the rooms are being re-written after the key store came back: "not listed" means nothing then.
    private int _rewriting;

    public RedisRoomStore(RedisLink link, RedisRpcClient rpc)
    {
        _link = link;
        _rpc = rpc;
    }

    private ILogger Log => _link.Log;

    /// <summary>The key store is back: distrust it until the rooms are written again (before anything can ask).</summary>
    public void KeyStoreRegained()
    {
        Volatile.Write(ref _rewriting, 1);
        _ = RewriteRoomsAsync();
    }

    /// <summary>SISMEMBER rooms room; null when the key store cannot answer (the caller trusts its own state).</summary>
    public async Task<bool?> RoomListedAsync(string room)
    {
        if (!_link.KeyStore.IsConnected || Volatile.Read(ref _rewriting) == 1) return null;
        try
        {
            if (await _link.Db.SetContainsAsync(RedisChatKeys.RoomsKey, room).ConfigureAwait(false)) return true;
            // No rooms at all: the store lost its data (restarted empty, flushed), not "destroyed by ActionHero" (its
            // destroy removes one room). Unknown, so the room trusts itself, and the rooms are written back.
            if (await _link.Db.SetLengthAsync(RedisChatKeys.RoomsKey).ConfigureAwait(false) == 0)
            {
                KeyStoreRegained();
                return null;
            }
            return false;
        }
        catch (Exception e) when (RedisLink.IsFailure(e))
        {
            Log.LogDebug("SISMEMBER {Room} failed: {Error}", room, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Every room the cluster knows (the replicated registry, as this node reads it) goes back into ActionHero's rooms
    /// SET, also rooms without members, which no fan-out resends. Every node does it; SADD is idempotent. Never throws.
    /// </summary>
    public async Task RewriteRoomsAsync()
    {
        if (_link.System is not { } system)
        {
            Volatile.Write(ref _rewriting, 0);
            return;
        }
        try
        {
            var replicator = Akka.DistributedData.DistributedData.Get(system).Replicator;
            var reply = await replicator.Ask<Akka.DistributedData.IGetResponse>(
                Akka.DistributedData.Dsl.Get(Rooms.RoomRegistry.Key, Akka.DistributedData.ReadLocal.Instance), _link.AskTimeout).ConfigureAwait(false);
            if (reply is not Akka.DistributedData.GetSuccess success) return;
            var rooms = success.Get(Rooms.RoomRegistry.Key).Elements.Select(r => (RedisValue)r).ToArray();
            if (rooms.Length == 0) return;
            var added = await _link.Db.SetAddAsync(RedisChatKeys.RoomsKey, rooms).ConfigureAwait(false);
            if (added > 0) Log.LogInformation("redis key store back: {Added} of {Count} rooms re-written to {Key}", added, rooms.Length, RedisChatKeys.Rooms);
        }
        catch (Exception e) when (RedisLink.IsFailure(e) || e is AskTimeoutException)
        {
            Log.LogWarning("redis key store back, but the rooms could not be re-written: {Error}", e.Message);
        }
        finally
        {
            Volatile.Write(ref _rewriting, 0);
        }
    }

    /// <summary>ActionHero's add(room) order: SISMEMBER, then SADD when missing. Never throws.</summary>
    public async Task RoomCreatedAsync(string room)
    {
        try
        {
            if (!await _link.Db.SetContainsAsync(RedisChatKeys.RoomsKey, room).ConfigureAwait(false))
                await _link.Db.SetAddAsync(RedisChatKeys.RoomsKey, room).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisLink.IsFailure(e))
        {
            Log.LogWarning("room {Room} created, but not recorded in {Key}: {Error}", room, RedisChatKeys.Rooms, e.Message);
        }
    }

    /// <summary>
    /// ActionHero's destroy after the broadcast: HGETALL members, remove each member held by an ActionHero node
    /// through RPC (waiting at most command-timeout for the answers), then SREM rooms and DEL members.
    /// <paramref name="ourMembers"/> were already removed by the room. Never throws.
    /// </summary>
    public async Task RoomDestroyedAsync(string room, IReadOnlyCollection<string> ourMembers)
    {
        try
        {
            var entries = await _link.Db.HashGetAllAsync(RedisChatKeys.Members(room)).ConfigureAwait(false);
            var removals = new List<Task>();
            foreach (var entry in entries)
            {
                var id = entry.Name.ToString();
                var (_, _, host) = BusJson.ParseMember(entry.Value.ToString());
                if (ourMembers.Contains(id) || _link.IsOurs(host)) continue;
                removals.Add(RemoveRemoteMemberAsync(id, room));
            }
            // Unlike ActionHero's destroy, wait (bounded) for the answers before SREM: an ActionHero node whose
            // removeMember finds the room already gone throws "room does not exist" unhandled, which stops its process
            // [observed on 29.3.5]. A member of a crashed ActionHero node never answers, hence the bound.
            if (removals.Count > 0)
            {
                try
                {
                    await Task.WhenAll(removals).WaitAsync(_link.Settings.CommandTimeout).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    Log.LogInformation("room {Room}: not every ActionHero member's removal was confirmed within {Timeout}", room, _link.Settings.CommandTimeout);
                }
            }
            await _link.Db.SetRemoveAsync(RedisChatKeys.RoomsKey, room).ConfigureAwait(false);
            await _link.Db.KeyDeleteAsync(RedisChatKeys.Members(room)).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisLink.IsFailure(e))
        {
            Log.LogWarning("room {Room} destroyed, but its keys could not be removed from redis: {Error}", room, e.Message);
        }
    }

    private async Task RemoveRemoteMemberAsync(string connectionId, string room)
    {
        try
        {
            await _rpc.CallAsync(RedisChatKeys.RemoveMember, new JsonArray(connectionId, room), connectionId, wait: true).ConfigureAwait(false);
        }
        catch (ChatException e)
        {
            Log.LogDebug("removeMember {Id} from {Room}: {Error}", connectionId, room, e.Message);
        }
    }

    /// <summary>SMEMBERS rooms; empty when the key store cannot answer.</summary>
    public async Task<IReadOnlyList<string>> ListRoomsAsync()
    {
        if (!_link.KeyStore.IsConnected) return Array.Empty<string>();
        try
        {
            return (await _link.Db.SetMembersAsync(RedisChatKeys.RoomsKey).ConfigureAwait(false)).Select(v => v.ToString()).ToArray();
        }
        catch (Exception e) when (RedisLink.IsFailure(e))
        {
            Log.LogDebug("SMEMBERS failed: {Error}", e.Message);
            return Array.Empty<string>();
        }
    }
}
