using System.Text.Json.Nodes;
using ChatCluster.Transports;

namespace ChatCluster.Bench;

/// <summary>A transport that only counts what it is given: measures the pipeline, not a socket.</summary>
public sealed class CountingTransport : IClientTransport
{
    private long _messages;
    private long _bytes;

    public string Type => "websocket";

    public IResponseFormat Format => WebSocketResponseFormat.Instance;

    public ClientDialect Dialect => ClientDialect.WebSocket;

    public long Messages => Interlocked.Read(ref _messages);

    public long Bytes => Interlocked.Read(ref _bytes);

    public bool Send(ReadOnlyMemory<byte> json)
    {
        Interlocked.Add(ref _bytes, json.Length);
        Interlocked.Increment(ref _messages);
        return true;
    }

    public bool Write(ReadOnlyMemory<byte> json) => Send(json);

    public void Flush() { }

    public void Goodbye() { }

    public void Abort(string reason) { }

    internal static JsonObject Touch(JsonObject payload, int i)
    {
        payload["mw" + i] = true;
        return payload;
    }
}
