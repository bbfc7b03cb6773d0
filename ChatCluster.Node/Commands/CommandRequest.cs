using Akka.Actor;
using ChatCluster.Messages.Commands;

namespace ChatCluster.Node.Commands;

/// <summary>A checked command for a palette's handler actor. Node-local only (it carries the session's reply sink).</summary>
public sealed record CommandRequest(CommandDefinition Command, CommandArgs Args, CommandReplies Reply) : INoSerializationVerificationNeeded;
