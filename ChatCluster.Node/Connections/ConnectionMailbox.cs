using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace ChatCluster.Node.Connections;

/// <summary>
/// Mailbox type of connection actors (<c>chatcluster.connection-mailbox</c> in hocon/base.conf): one
/// <see cref="Queue"/> per connection.
/// </summary>
public sealed class ConnectionMailbox : MailboxType, IProducesMessageQueue<ConnectionMailbox.Queue>
{
    /// <summary>The config path the connection actors' deploy names.</summary>
    public const string ConfigPath = "chatcluster.connection-mailbox";

    public ConnectionMailbox(Settings settings, Config config) : base(settings, config) { }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new Queue();

    /// <summary>
    /// The queue of one <see cref="ConnectionActor"/>: a lock-free linked queue (many writers, the actor's mailbox
    /// run as the one reader) that holds nothing but a stub node while empty. Akka's default unbounded deque mailbox
    /// allocates a 32-slot queue segment (~1 kB) for every actor up front; an idle connection holds ~8 kB in all, so that
    /// segment was an eighth of it. A node per message is cheap at a connection's rate (its own client's requests and
    /// their answers). No lock: on 2 vCPUs a writer descheduled while holding one stalls the connection's reader.
    /// Deque semantics (messages put back in front) are what the stash needs; only the actor itself puts back, from its
    /// own mailbox run, so the front part needs no synchronisation with the writers.
    /// </summary>
    public sealed class Queue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
    {
        private sealed class Node
        {
            public Envelope Value;
            public Node? Next;
        }

        private Node _head; // reader side: the last node taken (or the stub); its Next is the oldest message
        private Node _tail; // writer side: the newest node
        private Stack<Envelope>? _front; // put back by the stash, taken before the linked part (reader only)
        private int _count;

        public Queue()
        {
            _head = _tail = new Node();
        }

        public bool HasMessages => Volatile.Read(ref _count) > 0;

        public int Count => Volatile.Read(ref _count);

        public void Enqueue(IActorRef receiver, Envelope envelope)
        {
            var node = new Node { Value = envelope };
            Interlocked.Increment(ref _count);
            var previous = Interlocked.Exchange(ref _tail, node);
            Volatile.Write(ref previous.Next, node); // from here the reader can see it
        }

        public void EnqueueFirst(Envelope envelope)
        {
            (_front ??= new Stack<Envelope>()).Push(envelope);
            Interlocked.Increment(ref _count);
        }

        public bool TryDequeue(out Envelope envelope)
        {
            if (_front is { Count: > 0 } front)
            {
                envelope = front.Pop();
                if (front.Count == 0) _front = null;
                Interlocked.Decrement(ref _count);
                return true;
            }
            var next = Volatile.Read(ref _head.Next);
            if (next is null)
            {
                // Empty, or a writer is between its exchange and its link: it schedules the mailbox after it links.
                envelope = default;
                return false;
            }
            envelope = next.Value;
            next.Value = default; // the message is the actor's now; the node stays as the new stub
            _head = next;
            Interlocked.Decrement(ref _count);
            return true;
        }

        public void CleanUp(IActorRef owner, IMessageQueue deadletters)
        {
            while (TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
        }
    }
}
