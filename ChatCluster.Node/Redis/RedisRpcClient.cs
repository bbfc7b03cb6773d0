using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ChatCluster.Messages;

namespace ChatCluster.Node.Redis;

/// <summary>
/// ActionHero's cluster RPC, calling side (<c>doCluster</c>): publishes a <c>do</c> and, when asked to wait, resolves
/// with the first <c>doResponse</c> of the same messageId (which <see cref="RedisBusListener"/> hands to
/// <see cref="Answer"/>).
/// </summary>
internal sealed class RedisRpcClient
{
    private readonly RedisLink _link;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string?>> _pending = new(StringComparer.Ordinal);

    public RedisRpcClient(RedisLink link) => _link = link;

    /// <summary>
    /// With <paramref name="wait"/> the answer's <c>response</c> as JSON (null when absent), or "RPC Timeout" after
    /// rpc-timeout. Fails at once with <see cref="ChatErrors.RpcUnavailable"/> when the pub/sub server is unreachable.
    /// </summary>
    public async Task<string?> CallAsync(string method, JsonArray args, string? connectionId, bool wait)
    {
        if (!_link.PubSub.IsConnected) throw new ChatException(ChatErrors.RpcUnavailable);
        var id = RedisLink.NewId();
        var text = BusJson.Do(_link.ServerId, _link.Settings.ServerToken, id, method, connectionId, args);
        if (!wait)
        {
            await _link.PublishAsync(text).ConfigureAwait(false);
            return null;
        }
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer; // registered before publishing: the response can be faster than PublishAsync's return
        try
        {
            await _link.PublishAsync(text).ConfigureAwait(false);
            return await answer.Task.WaitAsync(_link.Settings.RpcTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ChatException(ChatErrors.RpcTimeout);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>A <c>doResponse</c> arrived; the first one for an id wins, later ones (other nodes) are ignored.</summary>
    public void Answer(string messageId, string? responseJson)
    {
        if (_pending.TryRemove(messageId, out var answer)) answer.TrySetResult(responseJson);
    }

    /// <summary>The adapter stops: every call still waiting fails at once.</summary>
    public void FailAll()
    {
        foreach (var pending in _pending.Values) pending.TrySetException(new ChatException(ChatErrors.RpcUnavailable));
    }
}
