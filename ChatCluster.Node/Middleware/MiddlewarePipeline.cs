using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using System.Threading.Channels;
using ChatCluster.Messages;
using ChatCluster.Node.Core;
using ChatCluster.Transports;

namespace ChatCluster.Node.Middleware;

/// <summary>
/// The node's running middleware: one materialized stream per hook kind, fed through a bounded queue.
/// When a chain is empty nothing is queued at all (no per-message or per-recipient work). A full queue
/// answers "the server is busy" (join/leave/onSayReceive) or drops that delivery with a warning (say):
/// bounded memory, never a silent loss.
/// </summary>
public sealed class MiddlewarePipeline
{
    private static readonly Task<RoomVerdict> Allowed = Task.FromResult(RoomVerdict.Allow);

    private readonly ChannelWriter<RoomCheck> _join;
    private readonly ChannelWriter<RoomCheck> _leave;
    private readonly ChannelWriter<SayCheck> _sayReceive;
    private readonly ChannelWriter<SayDelivery> _say;
    private readonly ILoggingAdapter _log;
    private long _sayDropped;

    public MiddlewarePipeline(ActorSystem system, MiddlewareRegistry registry, int bufferSize, int parallelism)
    {
        Registry = registry;
        _log = Logging.GetLogger(system, "ChatCluster.Middleware");
        var materializer = system.Materializer(namePrefix: "middleware");
        _join = Run(MiddlewareFlows.Join(registry, parallelism), bufferSize, Sink.Ignore<RoomCheck>(), materializer);
        _leave = Run(MiddlewareFlows.Leave(registry, parallelism), bufferSize, Sink.Ignore<RoomCheck>(), materializer);
        _sayReceive = Run(MiddlewareFlows.OnSayReceive(registry, parallelism), bufferSize, Sink.Ignore<SayCheck>(), materializer);
        _say = Run(MiddlewareFlows.Say(registry, parallelism), bufferSize, Sink.ForEach<SayDelivered>(Delivered), materializer);
    }

    public MiddlewareRegistry Registry { get; }

    public bool HasSay => !Registry.Chains.Say.IsEmpty;

    public bool HasOnSayReceive => !Registry.Chains.OnSayReceive.IsEmpty;

    /// <summary>Say deliveries dropped because the say queue was full.</summary>
    public long SayDropped => Interlocked.Read(ref _sayDropped);

    public Task<RoomVerdict> JoinAsync(ConnectionView connection, string room) =>
        Registry.Chains.Join.IsEmpty ? Allowed : Check(_join, connection, room);

    public Task<RoomVerdict> LeaveAsync(ConnectionView connection, string room) =>
        Registry.Chains.Leave.IsEmpty ? Allowed : Check(_leave, connection, room);

    public Task<SayVerdict> OnSayReceiveAsync(ConnectionView connection, string room, JsonObject payload)
    {
        if (Registry.Chains.OnSayReceive.IsEmpty) return Task.FromResult(SayVerdict.Deliver(payload));
        var verdict = new TaskCompletionSource<SayVerdict>(TaskCreationOptions.RunContinuationsAsynchronously);
        Offer(_sayReceive, new SayCheck(connection, room, payload, verdict), () => verdict.TrySetResult(SayVerdict.Refuse(ChatErrors.ServerBusy)));
        return verdict.Task;
    }

    public void Deliver(SayDelivery delivery) => Offer(_say, delivery, () =>
    {
        Interlocked.Increment(ref _sayDropped);
        _log.Warning("say middleware queue full: message to {0} in {1} dropped ({2} so far)", delivery.Recipient.Id, delivery.Room, SayDropped);
    });

    private Task<RoomVerdict> Check(ChannelWriter<RoomCheck> queue, ConnectionView connection, string room)
    {
        var verdict = new TaskCompletionSource<RoomVerdict>(TaskCreationOptions.RunContinuationsAsynchronously);
        Offer(queue, new RoomCheck(connection, room, verdict), () => verdict.TrySetResult(RoomVerdict.Refuse(ChatErrors.ServerBusy)));
        return verdict.Task;
    }

    private void Delivered(SayDelivered d)
    {
        var outcome = d.Outcome;
        switch (outcome.Verdict.Kind)
        {
            case SayVerdictKind.Deliver:
                d.Delivery.Recipient.Transport.Send(JsonSerializer.SerializeToUtf8Bytes(outcome.Verdict.Payload, JsonText.SerializerOptions));
                Core.NodeCounters.MessagesDelivered.Increment();
                break;
            case SayVerdictKind.Refuse when outcome.Failure is not null:
                _log.Warning(outcome.Failure, "say middleware {0} failed for {1} in {2}; that recipient gets nothing", outcome.FailedHook, d.Delivery.Recipient.Id, d.Delivery.Room);
                break;
        }
    }

    // A bounded channel feeds each stream: offering is a synchronous TryWrite (no task per message), and a
    // full channel is an immediate, visible refusal instead of unbounded buffering.
    private static void Offer<T>(ChannelWriter<T> queue, T element, Action dropped)
    {
        if (!queue.TryWrite(element)) dropped();
    }

    private static ChannelWriter<T> Run<T, TOut, TMat>(Flow<T, TOut, Akka.NotUsed> flow, int bufferSize, Sink<TOut, TMat> sink, IMaterializer materializer) =>
        Source.Channel<T>(bufferSize, singleWriter: false, BoundedChannelFullMode.Wait).Via(flow).To(sink).Run(materializer);
}
