using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace ChatCluster.Node.Connections;

/// <summary>
/// Mailbox type of connection actors (<c>chatcluster.connection-mailbox</c> in hocon/base.conf): one
/// <see cref="ConnectionMessageQueue"/> per connection.
/// </summary>
public sealed class ConnectionMailbox : MailboxType, IProducesMessageQueue<ConnectionMessageQueue>
{
    /// <summary>The config path the connection actors' deploy names.</summary>
    public const string ConfigPath = "chatcluster.connection-mailbox";

    public ConnectionMailbox(Settings settings, Config config) : base(settings, config) { }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new ConnectionMessageQueue();
}
