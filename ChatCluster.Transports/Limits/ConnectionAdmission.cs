using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Transports.Limits;

/// <summary>
/// Node-wide admission of client connections (every listener shares one instance): counts open connections in
/// total and per remote address, and as Kestrel connection middleware (first on each listener) refuses a new one
/// at once past <c>chatcluster.limits.max-connections</c> or <c>max-connections-per-address</c>. A refused
/// connection gets the listener's refusal bytes (TCP: an error line; web: an HTTP 503), is given
/// <see cref="LimitsSettings.RefusalLinger"/> to read it, and is closed: it never reaches a handler or an actor.
/// </summary>
public sealed class ConnectionAdmission
{
    private readonly LimitsSettings _limits;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perAddress = new();
    private int _open;
    private long _refused;
    private long _lastLogMs = long.MinValue;

    public ConnectionAdmission(LimitsSettings limits, ILogger logger)
    {
        _limits = limits;
        _logger = logger;
    }

    /// <summary>Client connections open now, node-wide.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Connections refused since start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Count a new connection in, unless a limit says no.</summary>
    public AdmissionVerdict TryAdmit(IPAddress address)
    {
        lock (_gate)
        {
            _perAddress.TryGetValue(address, out var fromAddress);
            var verdict = AdmissionRule.Decide(_open, fromAddress, _limits.MaxConnections, _limits.MaxConnectionsPerAddress);
            if (verdict != AdmissionVerdict.Admit) return verdict;
            _open++;
            _perAddress[address] = fromAddress + 1;
            return verdict;
        }
    }

    public void Release(IPAddress address)
    {
        lock (_gate)
        {
            _open--;
            if (_perAddress.TryGetValue(address, out var n))
            {
                if (n <= 1) _perAddress.Remove(address);
                else _perAddress[address] = n - 1;
            }
        }
    }

    /// <summary>
    /// For <c>ListenOptions.Use</c>: admit or refuse each new connection. <paramref name="refusal"/> gives the bytes a
    /// refused client gets; <paramref name="waitForRequest"/> reads the client's request head first (HTTP: the 503
    /// answers a request).
    /// </summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Middleware(Func<AdmissionVerdict, byte[]> refusal, bool waitForRequest) =>
        next => async connection =>
        {
            var address = AddressOf(connection.RemoteEndPoint);
            var verdict = TryAdmit(address);
            if (verdict != AdmissionVerdict.Admit)
            {
                await RefuseAsync(connection, address, verdict, refusal(verdict), waitForRequest).ConfigureAwait(false);
                return;
            }
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                Release(address);
            }
        };

    private async Task RefuseAsync(ConnectionContext connection, IPAddress address, AdmissionVerdict verdict, byte[] refusal, bool waitForRequest)
    {
        var refused = Interlocked.Increment(ref _refused);
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastLogMs);
        if (now - last >= (long)_limits.AcceptLogInterval.TotalMilliseconds && Interlocked.CompareExchange(ref _lastLogMs, now, last) == last)
            LimitsLog.ConnectionRefused(_logger, address.ToString(), verdict.ToString(), Open, _limits.MaxConnections, _limits.MaxConnectionsPerAddress, refused);
        using var linger = new CancellationTokenSource(_limits.RefusalLinger);
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        try
        {
            if (waitForRequest) await ReadRequestHeadAsync(input, linger.Token).ConfigureAwait(false);
            await output.WriteAsync(refusal, linger.Token).ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
            // Read until the client closes (it has our answer) or the linger ends: closing a socket with unread input
            // makes the kernel reset it, and the client could lose the answer.
            while (true)
            {
                var result = await input.ReadAsync(linger.Token).ConfigureAwait(false);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException)
        {
            // linger over or client gone: Kestrel closes the socket when we return
        }
    }

    /// <summary>The web port's refusal: <c>503 Service Unavailable</c> with the reason as plain text, then close.</summary>
    public static byte[] HttpServiceUnavailable(string reason)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(reason);
        var head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\n"
            + $"Connection: close\r\nContent-Length: {body.Length}\r\n\r\n";
        return [.. System.Text.Encoding.ASCII.GetBytes(head), .. body];
    }

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    // Up to the end of the request head (or whatever arrived by the linger's end): enough for the client to take
    // our answer as the response to its request.
    private static async Task ReadRequestHeadAsync(PipeReader input, CancellationToken cancel)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancel).ConfigureAwait(false);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> _, HeadEnd, advancePastDelimiter: true) || result.IsCompleted)
            {
                input.AdvanceTo(buffer.End);
                return;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static IPAddress AddressOf(EndPoint? endPoint)
    {
        if (endPoint is not IPEndPoint ip) return IPAddress.None;
        return ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
    }
}
